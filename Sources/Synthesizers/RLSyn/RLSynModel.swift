//===----------------------------------------------------------------------===//
// A trained (or training) RLSyn generator and its sampling.
//===----------------------------------------------------------------------===//

import Foundation
import NumericCore
import Autodiff

/// The parts of RLSyn that generate: configuration, layout and policy.
public final class RLSynModel: RecordGenerator {
  public let configuration: RLSynConfiguration
  public let layout: RecordLayout
  public let policy: RLSynPolicy

  public init(configuration: RLSynConfiguration, layout: RecordLayout, seed: UInt64) {
    self.configuration = configuration
    self.layout = layout
    var rng = RandomSource(seed: seed)
    policy = RLSynPolicy(configuration: configuration, layout: layout, rng: &rng)
  }

  public var parameters: [Variable] { policy.parameters }

  /// `rows` records from ``sample(rows:rng:threads:)``.
  public func generate(rows: Int, rng: inout RandomSource, threads: Int) -> Matrix { sample(rows: rows, rng: &rng, threads: threads) }

  /// Records per generation chunk; each chunk has its own random stream, so results do not
  /// depend on how chunks are spread over cores.
  public static let sampleChunkRows = 8192

  /// `rows` encoded records drawn from the policy (stochastic draws, not the means).
  ///
  /// Chunks of ``sampleChunkRows`` records are generated on up to `threads` cores (one BLAS thread
  /// each); chunk `k` draws from `RandomSource(seed: base + k·φ)` where `base` is the next value of
  /// `rng`, so the same `rng` state gives the same records whatever `threads` is.
  public func sample(rows: Int, rng: inout RandomSource, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> Matrix {
    let chunkRows = RLSynModel.sampleChunkRows
    let chunks = (rows + chunkRows - 1) / chunkRows
    let base = rng.next()
    let workers = Swift.min(chunks, Swift.max(1, threads))
    let outputs = (0..<workers).map { _ in ChunkOutput() }
    let job = UncheckedSendable((self, outputs))
    let generate: @Sendable (Int) -> Void = { w in
      let (model, outputs) = job.value
      for k in stride(from: w, to: chunks, by: workers) {
        var chunkRNG = RandomSource(seed: base &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
        let n = Swift.min(chunkRows, rows - k * chunkRows)
        let z = chunkRNG.normalMatrix(rows: n, cols: model.policy.noiseDimension)
        outputs[w].parts.append((k, model.policy.drawRecords(Variable(z), rng: &chunkRNG)))
      }
    }
    if workers > 1 {
      DispatchQueue.concurrentPerform(iterations: workers) { w in BLAS.withThreadLimit(1) { generate(w) } }
    } else if workers == 1 {
      generate(0)
    }
    let parts = outputs.flatMap(\.parts).sorted { $0.0 < $1.0 }.map(\.1)
    if parts.isEmpty { return Matrix(rows: 0, cols: layout.width) }
    return parts.count == 1 ? parts[0] : Matrix.concatenateRows(parts)
  }

  /// What one worker generated: (chunk index, records).
  final class ChunkOutput {
    var parts: [(Int, Matrix)] = []
  }
}
