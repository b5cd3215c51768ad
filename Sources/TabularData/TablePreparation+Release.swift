//===----------------------------------------------------------------------===//
// The backward step: from decoded model rows to rows shaped like the user's table.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore

extension TablePreparation {
  /// Turns a decoded model table into the user's columns: fixed combinations split, gaps added back, dates
  /// written in their format, constraints clamped, identifiers and personal information made up (deterministic
  /// for `seed`), columns in the user's order.
  public func userTable(_ model: DataTable, seed: UInt64) -> DataTable {
    let rows = model.rowCount
    var columns: [String: CellColumn] = [:]
    for (k, name) in model.columnNames.enumerated() { columns[name] = model.storage[k] }

    // Fixed combinations: split the joint level; a pooled (rare) combination writes the group empty.
    for combination in combinations {
      guard let joint = columns[combination.columns[0]] else { continue }
      var parts = combination.columns.map { _ in CellColumn(reservingCells: rows) }
      for r in 0..<rows {
        let values = joint.string(r).map { $0.components(separatedBy: Self.combinationSeparator) }
        for (k, _) in combination.columns.enumerated() {
          if let values, values.count == combination.columns.count, !values[k].isEmpty { parts[k].append(values[k]) } else { parts[k].appendMissing() }
        }
      }
      for (k, name) in combination.columns.enumerated() { columns[name] = parts[k] }
    }

    // Numbers of the columns that gaps, dates and clamps touch.
    var numbers: [String: [Double?]] = [:]
    func values(_ name: String) -> [Double?] {
      if let cached = numbers[name] { return cached }
      guard let cells = columns[name] else { return Array(repeating: nil, count: rows) }
      let parsed: [Double?] = cells.bytes.withUnsafeBufferPointer { p in
        (0..<rows).map { r in
          cells.missing[r] ? nil : p.baseAddress.flatMap { parseNumber($0 + cells.start(r), cells.end(r) - cells.start(r))?.value }
        }
      }
      numbers[name] = parsed
      return parsed
    }
    var touched = Set<String>()
    let dates = Dictionary(uniqueKeysWithValues: datetimes.map { ($0.name, $0) })
    let rareDates = Dictionary(uniqueKeysWithValues: datetimes.compactMap { d in d.rareUnits.map { (d.name, Set($0)) } })
    // A date fewer than k training records hold moves to the nearest one that none or at least k hold; only
    // upward when a floor (an inequality's low) holds it, so the inequality stays true.
    func avoidingRare(_ x: Double, _ name: String, upward: Bool) -> Double {
      guard let rare = rareDates[name], rare.contains(Int(x)) else { return x }
      for step in 1...Swift.max(rare.count, 1) {
        if !rare.contains(Int(x) + step) { return x + Double(step) }
        if !upward && !rare.contains(Int(x) - step) { return x - Double(step) }
      }
      return x
    }
    func clampDate(_ name: String, floor: [Double?]? = nil) {
      guard let date = dates[name] else { return }
      numbers[name] = values(name).enumerated().map { r, v in
        guard let v else { return nil }
        var x = Swift.min(Swift.max(v.rounded(), Double(date.lower)), Double(date.upper))
        if let f = floor?[r] { x = Swift.max(x, f) }
        return avoidingRare(x, name, upward: floor?[r] != nil)
      }
      touched.insert(name)
    }
    // Dates that are no gap's high: clamp first, so that gaps build on final lows.
    let gapHighs = Set(gaps.map(\.high))
    for date in datetimes where !gapHighs.contains(date.name) { clampDate(date.name) }
    for gap in Self.dependencyOrder(gaps, low: \.low, high: \.high) {
      let low = values(gap.low), delta = values(gap.high)
      var high: [Double?] = zip(low, delta).map { pair in
        guard let l = pair.0, let d = pair.1 else { return nil }
        return gap.lowInHighUnits(l) + Swift.max(d, 0)
      }
      let floor = low.map { $0.map(gap.lowInHighUnits) }
      numbers[gap.high] = high
      touched.insert(gap.high)
      if dates[gap.high] != nil { clampDate(gap.high, floor: floor) } else {
        high = zip(high, floor).map { pair in pair.0.map { Swift.max($0, pair.1 ?? -.infinity) } }
        numbers[gap.high] = high
      }
    }
    // Every constraint again, as a clamp (a no-op where the gap transform already holds it): ranges first, then the
    // inequalities in dependency order, so that no column is raised after it served as another's low.
    let ranges = constraints.filter { if case .scalarRange = $0 { return true } else { return false } }
    let inequalities = constraints.compactMap { c -> (low: String, high: String, constraint: Constraint)? in
      if case .inequality(let low, let high, _) = c { return (low, high, c) } else { return nil }
    }
    for constraint in ranges + Self.dependencyOrder(inequalities, low: \.low, high: \.high).map(\.constraint) {
      switch constraint {
      case .inequality(let lowName, let highName, let strict):
        let gap = Gap(low: lowName, high: highName, lowSecondsPerUnit: dates[lowName]?.format.secondsPerUnit,
                      highSecondsPerUnit: dates[highName]?.format.secondsPerUnit)
        let low = values(lowName)
        let step = dates[highName] != nil ? 1 : unit(of: highName)
        numbers[highName] = zip(low, values(highName)).map { pair in
          guard let h = pair.1 else { return nil }
          guard let l = pair.0 else { return h }
          let floor = gap.lowInHighUnits(l) + (strict ? step : 0)
          return h < floor ? avoidingRare(floor, highName, upward: true) : h
        }
        touched.insert(highName)
      case .scalarRange(let name, let low, let high, let strict):
        let step = strict ? unit(of: name) : 0
        numbers[name] = values(name).map { v in
          guard var x = v else { return nil }
          if let low { x = Swift.max(x, low + step) }
          if let high { x = Swift.min(x, high - step) }
          return x
        }
        touched.insert(name)
      case .fixedCombinations, .monotoneFunction:
        break
      }
    }
    // Write the touched columns back as text.
    for name in touched {
      guard let v = numbers[name] else { continue }
      var out = CellColumn(reservingCells: rows, bytes: rows * 10)
      if let date = dates[name] {
        for x in v { if let x { date.format.append(Int(x), to: &out.bytes); out.closeCell() } else { out.appendMissing() } }
      } else {
        let format = numericFormats[name] ?? NumberFormat(decimals: 6, minimumDecimals: 0, isInteger: false)
        for x in v {
          guard let x else { out.appendMissing(); continue }
          if format.isInteger && format.minimumDecimals == 0, x.magnitude < 9e18 { appendInteger(Int64(x.rounded(.up)), to: &out.bytes) }
          else { appendDecimal(ceilToDecimals(x, format.decimals), decimals: format.decimals, minimumDecimals: format.minimumDecimals, to: &out.bytes) }
          out.closeCell()
        }
      }
      columns[name] = out
      numbers[name] = nil  // read back as written (rounded), for the columns computed from it
    }
    // Columns computed from their source's final value. Between knots the written value is moved off the column's rare
    // training values to the nearest value of its precision that none or at least k rows hold; a knot's text is
    // written only where the released source is that knot, and a released source is never a rare training value.
    for function in monotoneFunctions ?? [] {
      let format = numericFormats[function.column] ?? NumberFormat(decimals: 6, minimumDecimals: 0, isInteger: false)
      let rareValues = function.rareValues ?? []
      var out = CellColumn(reservingCells: rows, bytes: rows * 10)
      for x in values(function.source) {
        guard let x, !function.knots.isEmpty else { out.appendMissing(); continue }
        switch function.evaluate(x) {
        case .knot(let k): out.append(function.cells[k])
        case .between(var y):
          if format.isInteger { y.round() }
          y = rareValues.withUnsafeBufferPointer {
            avoidingValues(y, decimals: format.isInteger ? 0 : format.decimals, sorted: $0, lower: -.infinity, upper: .infinity,
                           maxSteps: $0.count)
          }
          if format.isInteger && format.minimumDecimals == 0, y.magnitude < 9e18 { appendInteger(Int64(y.rounded()), to: &out.bytes) }
          else { appendDecimal(format.isInteger ? y.rounded() : y, decimals: format.decimals, minimumDecimals: format.minimumDecimals, to: &out.bytes) }
          out.closeCell()
        }
      }
      columns[function.column] = out
    }
    // Made-up and empty columns.
    for (k, column) in generated.enumerated() {
      var out = CellColumn(reservingCells: rows)
      let columnSeed = seed ^ (0x1D_5EED_0000 &+ UInt64(k))
      guard let shape = column.shape else {
        for _ in 0..<rows { out.appendMissing() }
        columns[column.name] = out
        continue
      }
      var rng = RandomSource(seed: columnSeed ^ 0xA11)
      let made = shape.generate(rows: rows, seed: columnSeed)
      for r in 0..<rows {
        if column.missingShare > 0 && rng.uniformDouble() < column.missingShare { out.appendMissing() } else { out.append(made[r]) }
      }
      columns[column.name] = out
    }
    let storage = columnOrder.map { columns[$0] ?? CellColumn(missingCells: rows) }
    return DataTable(columnNames: columnOrder, storage: storage, rowCount: rows, source: nil)
  }

  /// One unit of the last decimal a numeric column is written with.
  func unit(of name: String) -> Double {
    guard let format = numericFormats[name] else { return 1 }
    return format.isInteger ? 1 : pow(10, -Double(format.decimals))
  }

  /// `x` rounded up at `decimals` fraction digits, so a clamped value written with fewer digits stays above its floor.
  func ceilToDecimals(_ x: Double, _ decimals: Int) -> Double {
    let scale = pow(10, Double(decimals))
    let scaled = x * scale
    return (scaled - scaled.rounded(.down) < 1e-9 ? scaled.rounded(.down) : scaled.rounded(.up)) / scale
  }
}

extension CellColumn {
  /// A column of `count` missing cells.
  init(missingCells count: Int) {
    self.init(reservingCells: count)
    for _ in 0..<count { appendMissing() }
  }
}

extension DataTable {
  /// This table with the date columns of `schema` written as numbers (days, minutes or seconds since 1970, as
  /// their format's resolution) and its identifier and personal-information columns left out, so that metrics
  /// treat dates as numbers and never read identifying values. Cells that do not parse become missing.
  public func datesAsNumbers(_ schema: Schema) -> DataTable {
    var names: [String] = [], storage: [CellColumn] = []
    for (k, name) in columnNames.enumerated() {
      guard let column = schema.column(named: name) else { names.append(name); storage.append(self.storage[k]); continue }
      if column.isGenerated { continue }
      names.append(name)
      guard column.kind == .datetime, let format = column.datetimeFormat else { storage.append(self.storage[k]); continue }
      let cells = self.storage[k]
      let units: [Double?] = cells.bytes.withUnsafeBufferPointer { p in
        (0..<cells.count).map { r in
          cells.missing[r] ? nil : format.parse(UnsafeBufferPointer(rebasing: p[cells.start(r)..<cells.end(r)])).map(Double.init)
        }
      }
      storage.append(TablePreparation.numberColumn(units, decimals: 0))
    }
    return DataTable(columnNames: names, storage: storage, rowCount: rowCount, source: source)
  }
}

extension TablePreparation {
  /// `items` (relations `low ≤ high`) ordered so that an item whose low is another's high comes after it; a cycle
  /// keeps the remaining items in their given order.
  static func dependencyOrder<T>(_ items: [T], low: (T) -> String, high: (T) -> String) -> [T] {
    var remaining = Array(items.indices), ordered: [T] = []
    while !remaining.isEmpty {
      let highsLeft = Set(remaining.map { high(items[$0]) })
      let ready = remaining.filter { !highsLeft.contains(low(items[$0])) }
      let next = ready.isEmpty ? [remaining[0]] : ready
      ordered += next.map { items[$0] }
      remaining.removeAll { next.contains($0) }
    }
    return ordered
  }
}

extension TablePreparation.MonotoneFunction {
  /// Where a source value falls: on a knot (the same number: both are parsed from written text, so a released value
  /// that differs from a training value by one unit is never taken for it), or between two, with the linear
  /// interpolation of their values; outside the knots, on the line through the two end knots.
  enum Evaluation: Equatable { case knot(Int), between(Double) }

  func evaluate(_ x: Double) -> Evaluation {
    var lo = 0, hi = knots.count
    while lo < hi { let mid = (lo + hi) / 2; if knots[mid] < x { lo = mid + 1 } else { hi = mid } }
    if lo < knots.count, knots[lo] == x { return .knot(lo) }
    guard knots.count > 1 else { return .knot(0) }
    // Past an end, the end segment's line (a released source value may lie a little outside the training values).
    let right = Swift.min(Swift.max(lo, 1), knots.count - 1)
    let t = (x - knots[right - 1]) / (knots[right] - knots[right - 1])
    return .between(values[right - 1] + t * (values[right] - values[right - 1]))
  }
}
