//===----------------------------------------------------------------------===//
// Which synthesizers exist, by kind: the one place the library lists them.
//===----------------------------------------------------------------------===//

/// The synthesizers a fit, a model file or the command line can name.
///
/// ```swift
/// let registry = SynthesizerRegistry.standard.adding(MySynthesizer.self)
/// let model = try SyntheticDataModel.fit(table, synthesizer: MySynthesizer.kind, registry: registry)
/// ```
public struct SynthesizerRegistry: @unchecked Sendable {  // holds only metatypes of stateless types
  /// The synthesizers this package ships, in display order.
  public static let standard = SynthesizerRegistry([
    RLSynSynthesizer.self,
    GANSynthesizer.self,
    DiffusionSynthesizer.self,
  ])

  private var entries: [(kind: SynthesizerKind, type: any Synthesizer.Type)]

  /// A registry of `synthesizers`; a later entry of the same kind replaces an earlier one.
  public init(_ synthesizers: [any Synthesizer.Type]) {
    entries = []
    for s in synthesizers { self = adding(s) }
  }

  /// This registry with `synthesizer` added (or replacing one of the same kind).
  public func adding(_ synthesizer: any Synthesizer.Type) -> SynthesizerRegistry {
    var copy = self
    copy.entries.removeAll { $0.kind == synthesizer.kind }
    copy.entries.append((synthesizer.kind, synthesizer))
    return copy
  }

  /// The registered kinds, in registration order.
  public var kinds: [SynthesizerKind] { entries.map(\.kind) }

  /// The synthesizer registered as `kind`.
  /// - Throws: ``TrainingError/invalid(_:)`` naming the known kinds.
  public func synthesizer(_ kind: SynthesizerKind) throws -> any Synthesizer.Type {
    guard let entry = entries.first(where: { $0.kind == kind }) else {
      throw TrainingError.invalid("unknown synthesizer '\(kind)' (known: \(kinds.map(\.rawValue).joined(separator: ", ")))")
    }
    return entry.type
  }
}
