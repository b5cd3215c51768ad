import Testing
@testable import TabularData

/// The schema inferred from `table`, after checking that its proposed constraints survive `rlsyn schema` →
/// `--metadata` (written as metadata JSON, read back, inferred again).
func inferredSchemaCheckingMetadataRoundTrip(_ table: DataTable) throws -> Schema {
  let schema = try Schema.infer(from: table)
  let reread = try Metadata.parse(Metadata(schema: schema).jsonData(), name: "meta.json")
  #expect(try Schema.infer(from: table, overrides: reread).constraints == schema.constraints)
  return schema
}
