/// An open-addressing hash set of byte strings that hands out dense indices in insertion order.
///
/// Why not `[String: Int]`: looking up a cell would first build a `String` from its bytes (a heap
/// allocation for anything over 15 bytes). This set hashes and compares the bytes in place and
/// copies only the distinct keys, so counting distinct values and mapping cells to category codes
/// allocate nothing per cell.
struct ByteSliceIndex {
  private var keyBytes: [UInt8] = []
  private var keyEnds: [Int] = []
  private var hashes: [UInt64] = []
  private var slots: [Int32]
  private var mask: Int
  /// Occurrences of each key (incremented by ``insert(_:)``).
  private(set) var counts: [Int] = []

  init(expectedCount: Int = 16) {
    var capacity = 16
    while capacity < expectedCount * 2 { capacity <<= 1 }
    slots = [Int32](repeating: -1, count: capacity)
    mask = capacity - 1
  }

  /// Number of distinct keys.
  var count: Int { keyEnds.count }

  @inline(__always)
  static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325         // FNV-1a
    for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h ^ (h >> 29)
  }

  @inline(__always)
  private func keyMatches(_ k: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
    let s = k == 0 ? 0 : keyEnds[k - 1]
    let e = keyEnds[k]
    if e - s != p.count { return false }
    return keyBytes.withUnsafeBufferPointer { kb in
      for j in 0..<p.count where kb[s + j] != p[j] { return false }
      return true
    }
  }

  /// The index of `key`, or `nil`.
  func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
    let h = Self.hash(key)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = Int(slots[slot])
      if k < 0 { return nil }
      if hashes[k] == h && keyMatches(k, key) { return k }
      slot = (slot + 1) & mask
    }
  }

  /// Inserts `key` (or counts one more occurrence); returns its index.
  @discardableResult
  mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int {
    let h = Self.hash(key)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = Int(slots[slot])
      if k < 0 { break }
      if hashes[k] == h && keyMatches(k, key) { counts[k] += 1; return k }
      slot = (slot + 1) & mask
    }
    let index = keyEnds.count
    keyBytes.append(contentsOf: key)
    keyEnds.append(keyBytes.count)
    hashes.append(h)
    counts.append(1)
    slots[slot] = Int32(index)
    if keyEnds.count * 2 > slots.count { grow() }
    return index
  }

  /// Inserts the UTF-8 bytes of `key`.
  @discardableResult
  mutating func insert(_ key: String) -> Int {
    var copy = key
    return copy.withUTF8 { insert($0) }
  }

  /// Looks up the UTF-8 bytes of `key`.
  func find(_ key: String) -> Int? {
    var copy = key
    return copy.withUTF8 { find($0) }
  }

  /// The key at `index` as a string.
  func key(_ index: Int) -> String {
    let s = index == 0 ? 0 : keyEnds[index - 1]
    return keyBytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[s..<keyEnds[index]]), as: UTF8.self) }
  }

  /// The key at `index` as bytes.
  func keyBytes(_ index: Int) -> ArraySlice<UInt8> {
    let s = index == 0 ? 0 : keyEnds[index - 1]
    return keyBytes[s..<keyEnds[index]]
  }

  private mutating func grow() {
    let capacity = slots.count * 2
    slots = [Int32](repeating: -1, count: capacity)
    mask = capacity - 1
    for k in 0..<hashes.count {
      var slot = Int(truncatingIfNeeded: hashes[k]) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(k)
    }
  }
}
