//===----------------------------------------------------------------------===//
// The decode → round → encode map of the Gaussian columns, on encoded matrices.
//===----------------------------------------------------------------------===//

import NumericCore

/// What a Gaussian matrix value becomes once it is written out and read back: the inverse transform,
/// rounding to the column's precision (whole numbers for integer columns, the column's decimals
/// otherwise), clipping to the training range, and the forward transform again.
///
/// Real encoded records already sit on this lattice (an integer column is a set of spikes in the
/// quantile space). A generator's continuous draws do not; mapping them through the round trip shows a
/// discriminator records exactly as the CSV will hold them, so it judges the output and not the
/// sub-lattice detail that decoding throws away. Not differentiable, which a reward need not be.
public struct GaussianRoundTrip: Sendable, Equatable {
  /// One transform per Gaussian column, in matrix order.
  let transforms: [NumericTransform]
  /// `10^decimals` per column (1 for integer columns); values are rounded to multiples of its inverse.
  let scales: [Double]

  /// The round trip of `encoder`'s Gaussian columns.
  public init(_ encoder: TableEncoder) {
    var transforms: [NumericTransform] = [], scales: [Double] = []
    for (c, column) in encoder.schema.columns.enumerated() where column.isNumeric {
      transforms.append(encoder.coders[c].transform!)
      let decimals = column.kind == .integer ? 0 : Swift.min(column.decimals, 12)
      var s = 1.0
      for _ in 0..<decimals { s *= 10 }
      scales.append(s)
    }
    self.transforms = transforms
    self.scales = scales
  }

  /// Number of Gaussian columns.
  public var count: Int { transforms.count }

  /// Replaces the Gaussian columns `columns` of `records` (one per transform, in order) by their round trip.
  public func apply(to records: inout Matrix, columns: Range<Int>) {
    precondition(columns.count == transforms.count, "one matrix column per Gaussian column")
    let n = records.rows, w = records.cols
    records.withUnsafeMutableBufferPointer { p in
      for (j, transform) in transforms.enumerated() {
        let scale = scales[j], c = columns.lowerBound + j
        transform.withKernel { kernel in
          for i in 0..<n {
            let x = kernel.inverse(p[i * w + c])
            p[i * w + c] = kernel.forward((x * scale).rounded() / scale)
          }
        }
      }
    }
  }
}
