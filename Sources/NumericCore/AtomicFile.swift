//===----------------------------------------------------------------------===//
// Writing files so that a failure never leaves a half-written result.
//===----------------------------------------------------------------------===//

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file through a temporary sibling that is renamed into place at the end.
///
/// `rename(2)` replaces an existing file atomically, so readers see either the old file or
/// the complete new one; on any error the temporary file is deleted and `url` is untouched.
public enum AtomicFile {
  /// Why a file could not be written; `file` is the path as given.
  public struct WriteError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public var description: String { "\(file): cannot write: \(reason)" }
  }

  /// Calls `body` with a sink that appends bytes to a temporary file next to `url`; on success the
  /// temporary file replaces `url` in one `rename`, on any error it is deleted and the error rethrown.
  public static func write(to url: URL, _ body: (_ sink: ([UInt8]) throws -> Void) throws -> Void) throws {
    let name = url.relativePath
    let folder = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw WriteError(file: name, reason: "the folder \(folder.path) does not exist")
    }
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw WriteError(file: name, reason: "the folder \(folder.path) is not writable")
    }
    do {
      let handle = try FileHandle(forWritingTo: temporary)
      do {
        try body { bytes in try handle.write(contentsOf: bytes) }
        try handle.close()
      } catch {
        try? handle.close()
        throw error
      }
      if rename(temporary.path, url.path) != 0 {
        throw WriteError(file: name, reason: String(cString: strerror(errno)))
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
  }

  /// Writes `data` to `url` atomically.
  public static func write(_ data: Data, to url: URL) throws {
    try write(to: url) { sink in try sink([UInt8](data)) }
  }
}
