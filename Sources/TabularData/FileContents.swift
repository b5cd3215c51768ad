//===----------------------------------------------------------------------===//
// Whole-file reads that also accept pipes (`--config <(echo …)` in bash).
//===----------------------------------------------------------------------===//

import Foundation

/// Reads small input files (metadata, configuration) whole.
public enum FileContents {
  /// The bytes of `url`, read through a file handle so that a pipe or a process substitution (`/dev/fd/N`) works too:
  /// `Data(contentsOf:)` asks for the file's size first and fails on them.
  public static func read(_ url: URL) throws -> Data {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    return try handle.readToEnd() ?? Data()
  }
}
