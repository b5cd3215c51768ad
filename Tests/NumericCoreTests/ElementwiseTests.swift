//===----------------------------------------------------------------------===//
// Element-wise kernels against Double reference loops.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Testing
import TestSupport

/// One unary kernel, its Double reference and the inputs it is swept over.
struct UnaryCase: CustomTestStringConvertible, Sendable {
  let name: String
  let kernel: @Sendable (Matrix) -> Matrix
  let reference: @Sendable (Double) -> Double
  /// Inputs for the accuracy sweep.
  let sweep: @Sendable () -> [Float]
  /// Relative tolerance against the Double reference.
  let relative: Double
  /// Absolute tolerance (covers subnormal results and zeros).
  let absolute: Double
  var testDescription: String { name }
}

/// A dense grid over `[lower, upper]` plus the endpoints.
func grid(_ lower: Float, _ upper: Float, _ count: Int = 20_001) -> [Float] {
  (0..<count).map { lower + (upper - lower) * Float($0) / Float(count - 1) }
}

/// Points spread log-uniformly over `[10^lo, 10^hi]`, with both signs when `signed`.
func logGrid(_ lo: Double, _ hi: Double, count: Int = 20_001, signed: Bool) -> [Float] {
  let positive = (0..<count).map { Float(pow(10, lo + (hi - lo) * Double($0) / Double(count - 1))) }
  return signed ? positive + positive.map { -$0 } : positive
}

/// Transcendental kernels must be within a few ulp of the correctly rounded result.
let transcendentalRelative = 4e-7   // 3.4–6.7 ulp depending on the position in the binade
let subnormalAbsolute = 1e-44       // ~7 ulp of the smallest subnormal, 2⁻¹⁴⁹ ≈ 1.4e-45

let unaryCases: [UnaryCase] = [
  UnaryCase(name: "relu", kernel: { $0.relu() }, reference: { max($0, 0) },
            sweep: { grid(-5, 5) }, relative: 0, absolute: 0),
  UnaryCase(name: "leakyRelu(0.2)", kernel: { $0.leakyRelu(slope: 0.2) }, reference: { $0 > 0 ? $0 : Double(Float(0.2)) * $0 },
            sweep: { grid(-5, 5) }, relative: 1.2e-7, absolute: 0),
  UnaryCase(name: "exp", kernel: { $0.exp() }, reference: { Foundation.exp($0) },
            sweep: { grid(-104, 88.7) + grid(-1, 1) + logGrid(-30, -1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  UnaryCase(name: "log", kernel: { $0.log() }, reference: { Foundation.log($0) },
            sweep: { logGrid(-44, 38, count: 60_001, signed: false) + grid(0.5, 2) }, relative: transcendentalRelative, absolute: 1e-30),
  UnaryCase(name: "tanh", kernel: { $0.tanh() }, reference: { Foundation.tanh($0) },
            sweep: { grid(-12, 12) + grid(-1, 1) + logGrid(-30, 1, signed: true) }, relative: transcendentalRelative, absolute: 1e-30),
  UnaryCase(name: "sigmoid", kernel: { $0.sigmoid() }, reference: { 1 / (1 + Foundation.exp(-$0)) },
            sweep: { grid(-100, 40) + grid(-1, 1) + logGrid(-30, 1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  UnaryCase(name: "softplus", kernel: { $0.softplus() }, reference: { $0 > 0 ? $0 + Foundation.log1p(Foundation.exp(-$0)) : Foundation.log1p(Foundation.exp($0)) },
            sweep: { grid(-100, 100) + grid(-2, 2) + logGrid(-30, 1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  // The vectorised FastMath versions, held to the same tolerances (`tanh()` already uses FastMath).
  UnaryCase(name: "FastMath.exp", kernel: { $0.map(FastMath.exp) }, reference: { Foundation.exp($0) },
            sweep: { grid(-104, 88.7) + grid(-1, 1) + logGrid(-30, -1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  UnaryCase(name: "FastMath.log", kernel: { $0.map(FastMath.log) }, reference: { Foundation.log($0) },
            sweep: { logGrid(-44, 38, count: 60_001, signed: false) + grid(0.5, 2) + grid(0.999, 1.001) }, relative: transcendentalRelative, absolute: 1e-30),
  UnaryCase(name: "FastMath.sigmoid", kernel: { $0.map(FastMath.sigmoid) }, reference: { 1 / (1 + Foundation.exp(-$0)) },
            sweep: { grid(-100, 40) + grid(-1, 1) + logGrid(-30, 1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  UnaryCase(name: "FastMath.softplus", kernel: { $0.map(FastMath.softplus) }, reference: { $0 > 0 ? $0 + Foundation.log1p(Foundation.exp(-$0)) : Foundation.log1p(Foundation.exp($0)) },
            sweep: { grid(-100, 100) + grid(-2, 2) + logGrid(-30, 1, signed: true) }, relative: transcendentalRelative, absolute: subnormalAbsolute),
  UnaryCase(name: "squared", kernel: { $0.squared() }, reference: { $0 * $0 },
            sweep: { grid(-1e3, 1e3) }, relative: 1.2e-7, absolute: 0),
  UnaryCase(name: "sqrt", kernel: { $0.sqrt() }, reference: { $0.squareRoot() },
            sweep: { logGrid(-40, 38, signed: false) + [0] }, relative: 1.2e-7, absolute: 0),
  UnaryCase(name: "abs", kernel: { $0.abs() }, reference: { Swift.abs($0) },
            sweep: { grid(-5, 5) }, relative: 0, absolute: 0),
  UnaryCase(name: "clamped(-1, 2)", kernel: { $0.clamped(lower: -1, upper: 2) }, reference: { min(max($0, -1), 2) },
            sweep: { grid(-5, 5) }, relative: 0, absolute: 0),
  UnaryCase(name: "negation", kernel: { -$0 }, reference: { -$0 },
            sweep: { grid(-5, 5) }, relative: 0, absolute: 0),
  UnaryCase(name: "map { 3x − 1 }", kernel: { $0.map { 3 * $0 - 1 } }, reference: { Double(Float(3 * Float($0))) - 1 },
            sweep: { grid(-5, 5) }, relative: 1.2e-7, absolute: 1e-30),
]

/// The Matrix kernels as shipped, and the same functions mapped through ``FastMath``.
enum TranscendentalImplementation: String, CaseIterable, Sendable {
  case matrix, fastMath
  func exp(_ x: Matrix) -> Matrix { self == .matrix ? x.exp() : x.map(FastMath.exp) }
  func log(_ x: Matrix) -> Matrix { self == .matrix ? x.log() : x.map(FastMath.log) }
  func tanh(_ x: Matrix) -> Matrix { self == .matrix ? x.tanh() : x.map(FastMath.tanh) }
  func sigmoid(_ x: Matrix) -> Matrix { self == .matrix ? x.sigmoid() : x.map(FastMath.sigmoid) }
  func softplus(_ x: Matrix) -> Matrix { self == .matrix ? x.softplus() : x.map(FastMath.softplus) }
}

@Suite struct ElementwiseTests {
  @Test(arguments: unaryCases)
  func unaryKernelMatchesReferenceOnSweep(_ kase: UnaryCase) {
    let xs = kase.sweep()
    let x = Matrix(rows: 1, cols: xs.count, storage: xs)
    let y = kase.kernel(x)
    #expect(y.rows == 1 && y.cols == xs.count)
    let expected = xs.map { kase.reference(Double($0)) }
    let worst = worstError(y, expected, absolute: kase.absolute, relative: kase.relative)
    if worst > 1 {
      // Name the worst input to make a failure actionable.
      var worstIndex = 0, worstRatio = 0.0
      for (i, e) in expected.enumerated() {
        let ratio = Swift.abs(Double(y.storage[i]) - e) / (kase.absolute + kase.relative * Swift.abs(e))
        if !(ratio <= worstRatio) { worstRatio = ratio; worstIndex = i }
      }
      Issue.record("\(kase.name): worst error \(worst)× tolerance at x = \(xs[worstIndex]): got \(y.storage[worstIndex]), expected \(expected[worstIndex])")
    }
  }

  @Test(arguments: unaryCases)
  func unaryKernelKeepsShape(_ kase: UnaryCase) {
    for (r, c) in awkwardShapes {
      let x = kase.name.hasSuffix("log") || kase.name == "sqrt"
        ? randomMatrix(r, c, seed: 3, lower: 0.1, upper: 4) : randomMatrix(r, c, seed: 3)
      let y = kase.kernel(x)
      #expect(y.rows == r && y.cols == c, "\(kase.name) on \(r)×\(c)")
      let worst = worstError(y, doubles(x).map(kase.reference), absolute: max(kase.absolute, 1e-30), relative: max(kase.relative, 1e-12))
      #expect(worst <= 1, "\(kase.name) on \(r)×\(c): \(worst)")
    }
  }

  @Test(arguments: TranscendentalImplementation.allCases)
  func stableFormsAtLargeArguments(_ impl: TranscendentalImplementation) {
    let x = Matrix.row([100, -100, 50, -50, 1e4, -1e4, 0])
    let sp = impl.softplus(x), sg = impl.sigmoid(x), th = impl.tanh(x)
    #expect(sp.isFinite && sg.isFinite && th.isFinite)
    // softplus(100) = 100 + log1p(e⁻¹⁰⁰) rounds to 100; softplus(−100) = e⁻¹⁰⁰ ≈ 3.7e-44 (subnormal).
    #expect(sp[0, 0] == 100)
    #expect(sp[0, 1] >= 0 && sp[0, 1] < Float.leastNormalMagnitude)
    #expect(sp[0, 4] == 1e4 && sp[0, 5] == 0)
    #expect(isClose(sp[0, 6], Float(Foundation.log(2.0)), absolute: 0, relative: 2e-7))
    // sigmoid(100) rounds to 1; sigmoid(−100) = e⁻¹⁰⁰ / (1 + e⁻¹⁰⁰) ≈ 3.7e-44.
    #expect(sg[0, 0] == 1 && sg[0, 4] == 1)
    #expect(sg[0, 1] >= 0 && sg[0, 1] < Float.leastNormalMagnitude && sg[0, 5] == 0)
    #expect(sg[0, 6] == 0.5)
    // tanh(±50) and tanh(±1e4) round to ±1; tanh(0) = 0.
    #expect(th[0, 2] == 1 && th[0, 3] == -1 && th[0, 4] == 1 && th[0, 5] == -1 && th[0, 6] == 0)
  }

  @Test(arguments: TranscendentalImplementation.allCases)
  func infinitiesAndNaN(_ impl: TranscendentalImplementation) {
    let inf = Float.infinity
    let x = Matrix.row([inf, -inf, .nan])
    let e = impl.exp(x), sp = impl.softplus(x), sg = impl.sigmoid(x), th = impl.tanh(x)
    #expect(e[0, 0] == inf && e[0, 1] == 0 && e[0, 2].isNaN)
    #expect(sp[0, 0] == inf && sp[0, 1] == 0 && sp[0, 2].isNaN)
    #expect(sg[0, 0] == 1 && sg[0, 1] == 0 && sg[0, 2].isNaN)
    #expect(th[0, 0] == 1 && th[0, 1] == -1 && th[0, 2].isNaN)
    let l = impl.log(Matrix.row([0, -0.0, -1, inf, .nan, .leastNonzeroMagnitude]))
    #expect(l[0, 0] == -inf && l[0, 1] == -inf)
    #expect(l[0, 2].isNaN && l[0, 4].isNaN)
    #expect(l[0, 3] == inf)
    #expect(isClose(Double(l[0, 5]), Foundation.log(Double(Float.leastNonzeroMagnitude)), absolute: 0, relative: 1e-6))
    let ex = impl.exp(Matrix.row([88.72, 89, 1000, -103.5, -104, -1000]))
    #expect(ex[0, 0].isFinite && ex[0, 1] == inf && ex[0, 2] == inf)
    #expect(ex[0, 3] >= 0 && ex[0, 3] <= Float.leastNonzeroMagnitude && ex[0, 4] >= 0 && ex[0, 4] <= Float.leastNonzeroMagnitude && ex[0, 5] == 0)
    // Odd symmetry and exact zeros.
    let z = impl.tanh(Matrix.row([0, -0.0]))
    #expect(z[0, 0] == 0 && z[0, 1] == 0)
  }

  @Test func scalarKernelsMatchMatrixKernels() {
    let x = randomMatrix(7, 13, seed: 11, lower: -20, upper: 20)
    #expect(x.tanh() == x.map(Matrix.tanh))
    #expect(x.sigmoid() == x.map(Matrix.sigmoid))
    #expect(x.softplus() == x.map(Matrix.softplus))
  }

  // MARK: Binary operators and broadcasting

  /// Operand shapes for broadcasting against a 7×13 (or m×n) matrix, on either side.
  static let broadcastPairs: [((Int, Int), (Int, Int))] = [
    ((7, 13), (7, 13)),   // same shape
    ((7, 13), (1, 13)), ((1, 13), (7, 13)),  // row vector right / left
    ((7, 13), (7, 1)), ((7, 1), (7, 13)),    // column vector right / left
    ((7, 13), (1, 1)), ((1, 1), (7, 13)),    // 1×1 scalar right / left
    ((7, 1), (1, 13)), ((1, 13), (7, 1)),    // outer broadcast: column with row
    ((1, 1), (1, 1)), ((1, 9), (1, 1)), ((9, 1), (1, 1)), ((1, 1), (9, 1)),
    ((1, 9), (1, 9)), ((9, 1), (9, 1)),
    ((33, 5), (1, 5)), ((33, 5), (33, 1)), ((1, 5), (33, 5)), ((33, 1), (33, 5)),
    ((0, 5), (1, 5)), ((0, 5), (0, 1)), ((3, 0), (3, 1)), ((3, 0), (1, 0)),
  ]

  static let binaryOperators: [(String, @Sendable (Matrix, Matrix) -> Matrix, @Sendable (Double, Double) -> Double)] = [
    ("+", { $0 + $1 }, { $0 + $1 }),
    ("-", { $0 - $1 }, { $0 - $1 }),
    ("*", { $0 * $1 }, { $0 * $1 }),
    ("/", { $0 / $1 }, { $0 / $1 }),
    ("combine { 2a − b }", { Matrix.combine($0, $1) { 2 * $0 - $1 } }, { 2 * $0 - $1 }),
  ]

  @Test func binaryOperatorsBroadcastInEveryDirection() {
    for (index, (sa, sb)) in Self.broadcastPairs.enumerated() {
      let a = awayFromZero(sa.0, sa.1, seed: UInt64(2 * index + 1))
      let b = awayFromZero(sb.0, sb.1, seed: UInt64(2 * index + 2))
      for (name, op, ref) in Self.binaryOperators {
        let got = op(a, b)
        let expected = referenceCombine(a, b, ref)
        #expect(got.rows == expected.rows && got.cols == expected.cols, "\(sa) \(name) \(sb): shape \(got.rows)×\(got.cols)")
        guard got.count == expected.values.count else { continue }
        // Each result is one correctly rounded Float operation (2a − b: two), so ≤ 1–2 ulp.
        let worst = worstError(got, expected.values, absolute: 1e-30, relative: 2.4e-7)
        #expect(worst <= 1, "\(sa) \(name) \(sb): worst \(worst)")
      }
    }
  }

  @Test func scalarOperators() {
    for (r, c) in awkwardShapes {
      let a = awayFromZero(r, c, seed: 5)
      let s: Float = 1.75
      let cases: [(String, Matrix, (Double) -> Double)] = [
        ("a + s", a + s, { $0 + 1.75 }),
        ("a - s", a - s, { $0 - 1.75 }),
        ("a * s", a * s, { $0 * 1.75 }),
        ("s * a", s * a, { 1.75 * $0 }),
        ("a / s", a / s, { $0 / 1.75 }),
        ("-a", -a, { -$0 }),
      ]
      for (name, got, ref) in cases {
        #expect(got.rows == r && got.cols == c)
        #expect(worstError(got, doubles(a).map(ref), absolute: 1e-30, relative: 1.2e-7) <= 1, "\(name) on \(r)×\(c)")
      }
    }
  }

  @Test func threeWayCombineApplyFillScaleAndAdd() {
    let a = randomMatrix(33, 5, seed: 1), b = randomMatrix(33, 5, seed: 2), c = randomMatrix(33, 5, seed: 3)
    let fma = Matrix.combine(a, b, c) { $0 * $1 + $2 }
    let expected = (0..<a.count).map { Double(Float(a.storage[$0] * b.storage[$0])) + Double(c.storage[$0]) }
    #expect(worstError(fma, expected, absolute: 1e-30, relative: 1.2e-7) <= 1)

    var m = a
    m.apply { $0 * 2 }
    #expect(m.storage == a.storage.map { $0 * 2 })
    m.fill(-3)
    #expect(m.storage.allSatisfy { $0 == -3 })
    var s = a
    s.scale(by: 0.5)
    #expect(s.storage == a.storage.map { $0 * 0.5 })
    var acc = a
    acc.add(b, scaledBy: -2)
    #expect(worstError(acc, (0..<a.count).map { Double(a.storage[$0]) - 2 * Double(b.storage[$0]) }, absolute: 1e-6, relative: 2.4e-7) <= 1)
    var plus = a
    plus += b
    #expect(plus == a + b)
    var broadcastPlus = a
    broadcastPlus += Matrix.row([1, 2, 3, 4, 5])
    #expect(broadcastPlus == a + Matrix.row([1, 2, 3, 4, 5]))

    var empty = Matrix(rows: 0, cols: 4)
    empty.apply { $0 + 1 }
    empty.fill(2)
    #expect(empty.count == 0)
  }

  @Test func valueSemantics() {
    let a = randomMatrix(3, 4, seed: 9)
    var b = a
    b[1, 2] = 100
    #expect(a[1, 2] != 100)
    var c = a
    c.apply { _ in 0 }
    #expect(a != c)
  }

  @Test func initialisers() {
    let r = Matrix(rows: 2, cols: 3, repeating: 1.5)
    #expect(r.storage == [1.5, 1.5, 1.5, 1.5, 1.5, 1.5])
    let s = Matrix(rows: 2, cols: 2, storage: [1, 2, 3, 4])
    #expect(s[1, 0] == 3 && s.nestedRows == [[1, 2], [3, 4]])
    let u = Matrix(rows: 3, cols: 2) { p in for i in 0..<p.count { p[i] = Float(i) } }
    #expect(u.storage == [0, 1, 2, 3, 4, 5])
    let e = Matrix(rows: 0, cols: 5) { _ in }
    #expect(e.rows == 0 && e.cols == 5 && e.count == 0)
    #expect(Matrix([[1, 2], [3, 4]]) == s)
    #expect(Matrix.identity(3).storage == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    #expect(Matrix.scalar(2).scalarValue == 2)
    #expect(Matrix.row([1, 2]).shape == (1, 2) && Matrix.column([1, 2]).shape == (2, 1))
    #expect(s.row(1) == [3, 4] && s.column(1) == [2, 4])
    #expect(!Matrix.row([1, .nan]).isFinite && !Matrix.row([.infinity]).isFinite && Matrix.row([1]).isFinite)
  }
}
