//===----------------------------------------------------------------------===//
// A versioned, checksummed file of named matrices plus JSON metadata.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

/// Named parameter matrices and a metadata blob (JSON by convention) in one file.
///
/// Layout (all integers little-endian):
/// ```
/// "RLSYNPAR"            8-byte magic
/// UInt32 version        currently 1
/// UInt64 n, n bytes     metadata
/// UInt32 count          number of tensors, then per tensor:
///   UInt32 n, n bytes   UTF-8 name
///   UInt32 rows, UInt32 cols, rows·cols Float32 (IEEE 754 bit patterns)
/// UInt32 crc            CRC-32 (IEEE, as zlib) of every preceding byte
/// ```
/// Reading verifies the magic, the version, every length against the remaining bytes and
/// the checksum, so a truncated or corrupted file is rejected with a clear error; values
/// round-trip bit-exactly.
public struct ParameterArchive: Sendable {
  /// The format version this build writes and reads.
  public static let formatVersion: UInt32 = 1
  static let magic = Array("RLSYNPAR".utf8)

  /// Free-form metadata (JSON by convention).
  public var metadata: Data
  /// Named matrices in order.
  public var tensors: [(name: String, value: Matrix)]

  public init(metadata: Data = Data(), tensors: [(name: String, value: Matrix)] = []) {
    self.metadata = metadata
    self.tensors = tensors
  }

  /// An archive holding every parameter of `container`, named `name` or by position.
  public init(metadata: Data = Data(), parameters: [Variable]) {
    self.metadata = metadata
    self.tensors = parameters.enumerated().map { (k, p) in (p.name ?? "p\(k)", p.value) }
  }

  /// The tensor named `name`.
  public func tensor(named name: String) -> Matrix? { tensors.first { $0.name == name }?.value }

  /// Why a file could not be read.
  public struct ReadError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
  }

  // MARK: Writing

  /// The file's bytes.
  public func serialized() -> Data {
    var out = Data()
    out.append(contentsOf: ParameterArchive.magic)
    out.appendLittleEndian(ParameterArchive.formatVersion)
    out.appendLittleEndian(UInt64(metadata.count))
    out.append(metadata)
    out.appendLittleEndian(UInt32(tensors.count))
    for (name, m) in tensors {
      let bytes = Array(name.utf8)
      out.appendLittleEndian(UInt32(bytes.count))
      out.append(contentsOf: bytes)
      out.appendLittleEndian(UInt32(m.rows))
      out.appendLittleEndian(UInt32(m.cols))
      m.withUnsafeBufferPointer { p in
        var raw = [UInt32](repeating: 0, count: p.count)
        for i in 0..<p.count { raw[i] = p[i].bitPattern.littleEndian }
        raw.withUnsafeBytes { out.append(contentsOf: $0) }
      }
    }
    out.appendLittleEndian(CRC32.checksum(out))
    return out
  }

  /// Writes the archive atomically: to a temporary file beside `url`, then renamed over it.
  public func write(to url: URL) throws {
    try AtomicFile.write(serialized(), to: url)
  }

  // MARK: Reading

  /// Reads and validates an archive file.
  public static func read(from url: URL) throws -> ParameterArchive {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw ReadError(file: url.path, reason: "cannot be read (\(FileManager.default.fileExists(atPath: url.path) ? "permission or I/O error" : "no such file"))")
    }
    return try ParameterArchive(data: data, source: url.path)
  }

  /// Parses and validates archive bytes; `source` names the origin in errors.
  public init(data: Data, source: String = "model file") throws {
    func fail(_ reason: String) -> ReadError { ReadError(file: source, reason: reason) }
    let bytes = [UInt8](data)
    guard bytes.count >= 8, Array(bytes[0..<8]) == ParameterArchive.magic else {
      throw fail("not an rlsyn model/parameter file (missing the RLSYNPAR header)")
    }
    var reader = ByteReader(bytes: bytes, position: 8)
    guard let version = reader.uint32() else { throw fail("truncated: the file ends inside its header") }
    guard version == ParameterArchive.formatVersion else {
      throw fail("format version \(version) is not supported by this build (it reads version \(ParameterArchive.formatVersion))")
    }
    // Smallest valid file: magic, version, metadata length, tensor count, checksum.
    guard bytes.count >= 8 + 4 + 8 + 4 + 4 else { throw fail("truncated: the file ends inside its header") }
    let payloadEnd = bytes.count - 4
    let stored = UInt32(littleEndianBytes: bytes[payloadEnd...])
    let computed = CRC32.checksum(bytes[0..<payloadEnd])
    guard stored == computed else {
      throw fail("truncated or corrupt: checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(computed, radix: 16)))")
    }
    reader.limit = payloadEnd
    guard let metaLength = reader.uint64(), metaLength <= UInt64(payloadEnd - reader.position) else {
      throw fail("corrupt: metadata length exceeds the file")
    }
    let metadata = Data(bytes[reader.position..<(reader.position + Int(metaLength))])
    reader.position += Int(metaLength)
    guard let count = reader.uint32(), reader.position <= payloadEnd else { throw fail("corrupt: missing tensor count") }
    var tensors: [(String, Matrix)] = []
    for k in 0..<Int(count) {
      guard let nameLength = reader.uint32(), Int(nameLength) <= payloadEnd - reader.position else { throw fail("corrupt: tensor \(k) name runs past the end") }
      guard let name = String(validating: bytes[reader.position..<(reader.position + Int(nameLength))], as: UTF8.self) else {
        throw fail("corrupt: tensor \(k) name is not UTF-8")
      }
      reader.position += Int(nameLength)
      guard let rows = reader.uint32(), let cols = reader.uint32() else { throw fail("corrupt: tensor '\(name)' shape missing") }
      let n = Int(rows) * Int(cols)
      guard n <= (payloadEnd - reader.position) / 4 else { throw fail("corrupt: tensor '\(name)' (\(rows)×\(cols)) runs past the end") }
      let start = reader.position
      let values = bytes.withUnsafeBytes { raw in
        (0..<n).map { i in Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self))) }
      }
      reader.position += 4 * n
      tensors.append((name, Matrix(rows: Int(rows), cols: Int(cols), storage: values)))
    }
    guard reader.position == payloadEnd else { throw fail("corrupt: \(payloadEnd - reader.position) unexpected bytes after the last tensor") }
    self.metadata = metadata
    self.tensors = tensors
  }

  /// Copies stored values into `parameters`, matched by name (or position when unnamed);
  /// every parameter must be present with the same shape, and every stored tensor must be one of them (a tensor
  /// left over means the file describes another architecture, and sampling from the rest would be silently wrong).
  public func load(into parameters: [Variable], source: String = "model file") throws {
    let expected = Set(parameters.enumerated().map { $0.element.name ?? "p\($0.offset)" })
    if let extra = tensors.first(where: { !expected.contains($0.0) }) {
      throw ReadError(file: source, reason: "holds parameter '\(extra.0)', which the model its configuration describes does not have")
    }
    for (k, p) in parameters.enumerated() {
      let name = p.name ?? "p\(k)"
      guard let m = tensor(named: name) else { throw ReadError(file: source, reason: "missing parameter '\(name)'") }
      guard m.hasShape(of: p.value) else {
        throw ReadError(file: source, reason: "parameter '\(name)' is \(m.rows)×\(m.cols), expected \(p.rows)×\(p.cols)")
      }
      p.value = m
    }
  }
}

/// CRC-32 (IEEE 802.3 polynomial 0xEDB88320, reflected), as zlib's `crc32`.
public enum CRC32 {
  static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }
}

struct ByteReader {
  let bytes: [UInt8]
  var position: Int
  /// Reads stop here (the checksum after the payload is not part of it).
  var limit: Int
  init(bytes: [UInt8], position: Int) { self.bytes = bytes; self.position = position; self.limit = bytes.count }
  mutating func uint32() -> UInt32? {
    guard position + 4 <= limit else { return nil }
    defer { position += 4 }
    return UInt32(littleEndianBytes: bytes[position..<(position + 4)])
  }
  mutating func uint64() -> UInt64? {
    guard position + 8 <= limit else { return nil }
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += 8
    return v
  }
}

extension UInt32 {
  init<C: Collection>(littleEndianBytes b: C) where C.Element == UInt8 {
    var v: UInt32 = 0
    for (i, byte) in b.enumerated() { v |= UInt32(byte) << (8 * UInt32(i)) }
    self = v
  }
}

extension Data {
  mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
    var le = v.littleEndian
    Swift.withUnsafeBytes(of: &le) { append(contentsOf: $0) }
  }
}
