import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompression of gzip files (`.csv.gz`, as MIMIC-IV ships its tables) through the system's zlib.
///
/// zlib is opened with `dlopen` at first use, like OpenBLAS, so the package needs neither its headers nor a
/// link-time dependency; every Debian and macOS system has the shared library. Concatenated gzip members
/// (what `cat a.gz b.gz` gives) are read as one stream, as `gzip -d` does.
enum Gzip {
  /// Whether `bytes` start with the gzip magic number `1f 8b`.
  static func isCompressed(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
  }

  private typealias Open = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> OpaquePointer?
  private typealias Read = @convention(c) (OpaquePointer, UnsafeMutableRawPointer, UInt32) -> Int32
  private typealias Close = @convention(c) (OpaquePointer) -> Int32
  private typealias ErrorText = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> UnsafePointer<CChar>?

  private struct Library: @unchecked Sendable {
    let open: Open, read: Read, close: Close, error: ErrorText
  }

  private static let library: Library? = {
    for name in ["libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib"] {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      guard let o = dlsym(handle, "gzopen"), let r = dlsym(handle, "gzread"), let c = dlsym(handle, "gzclose"),
            let e = dlsym(handle, "gzerror") else { continue }
      return Library(open: unsafeBitCast(o, to: Open.self), read: unsafeBitCast(r, to: Read.self),
                     close: unsafeBitCast(c, to: Close.self), error: unsafeBitCast(e, to: ErrorText.self))
    }
    return nil
  }()

  /// The decompressed contents of the gzip file at `path`.
  ///
  /// - Parameter sizeHint: expected decompressed size in bytes (the buffer grows geometrically past it).
  /// - Throws: ``TabularError`` naming `name` when zlib is missing or the stream is corrupt or truncated.
  static func decompress(path: String, name: String, sizeHint: Int) throws -> Data {
    guard let zlib = library else {
      throw TabularError(.unreadableFile, file: name, "is gzip-compressed, but the zlib library (libz.so.1) was not found; install zlib1g or decompress it with gunzip")
    }
    guard let file = zlib.open(path, "rb") else {
      throw TabularError(.unreadableFile, file: name, "cannot be opened for decompression")
    }
    defer { _ = zlib.close(file) }
    var out = Data(count: Swift.max(1 << 16, sizeHint))
    var used = 0
    while true {
      if used == out.count { out.count = out.count * 2 }
      let chunk = Swift.min(out.count - used, 1 << 30)
      let got = out.withUnsafeMutableBytes { raw in zlib.read(file, raw.baseAddress! + used, UInt32(chunk)) }
      if got < 0 {
        var code: Int32 = 0
        let text = zlib.error(file, &code).map { String(cString: $0) } ?? "error \(code)"
        throw TabularError(.unreadableFile, file: name, "is not a valid gzip file (\(text)) after \(used) decompressed bytes")
      }
      if got == 0 {
        // Z_BUF_ERROR at the end: the file stopped inside a compressed stream.
        var code: Int32 = 0
        _ = zlib.error(file, &code)
        if code == -5 {
          throw TabularError(.unreadableFile, file: name, "is a truncated gzip file (it ends inside the compressed data, after \(used) decompressed bytes)")
        }
        break
      }
      used += Int(got)
    }
    out.count = used
    return out
  }
}
