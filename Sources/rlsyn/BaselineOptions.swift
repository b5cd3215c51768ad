import ArgumentParser
import Synthesizers

/// Hyperparameters of the `gan` and `diffusion` synthesizers (`rlsyn fit --synthesizer gan|diffusion`).
/// `--iterations`, `--batch-size`, `--log-every` and (GAN) `--noise-dimension` of `rlsyn fit` apply to them too.
/// Defaults: `docs/baselines.md`.
struct BaselineOptions: ParsableArguments {
  @Option(help: "GAN: critic steps per generator step.") var criticSteps: Int?
  @Option(help: "GAN: gradient-penalty weight λ.") var gradientPenalty: Float?
  @Option(help: "GAN: generator Adam learning rate.") var generatorLearningRate: Float?
  @Option(help: "GAN: critic Adam learning rate.") var criticLearningRate: Float?
  @Option(help: "GAN: width of every generator hidden layer.") var generatorWidth: Int?
  @Option(help: "GAN: width of every critic hidden layer.") var criticWidth: Int?
  @Option(help: "GAN: how discrete columns are sampled: draw or mode.") var discreteSampling: GANConfiguration.DiscreteSampling?
  @Option(help: "Diffusion: diffusion steps T.") var diffusionSteps: Int?
  @Option(help: "Diffusion: network evaluations when sampling (respaced schedule, ≤ T).") var samplingSteps: Int?
  @Option(help: "Diffusion: β schedule, cosine or linear.") var schedule: NoiseSchedule.Kind?
  @Option(help: "Diffusion: denoiser hidden width.") var denoiserWidth: Int?
  @Option(help: "Diffusion: denoiser hidden layers.") var denoiserDepth: Int?
  @Option(help: "Diffusion: Adam learning rate.") var learningRate: Float?
  @Option(help: "GAN and diffusion: decay of the moving average of the weights that are saved and sampled (0 = last iterate).") var emaDecay: Float?

  /// Registers the GAN and diffusion adjustments these options make (and the GAN's noise dimension).
  func adjust(_ options: inout FitOptions, noiseDimension: Int? = nil) {
    options.adjust(GANSynthesizer.self) { [self] c in
      if let v = noiseDimension { c.noiseDimension = v }
      apply(to: &c)
    }
    options.adjust(DiffusionSynthesizer.self) { [self] c in apply(to: &c) }
  }

  /// Applies the GAN options given.
  func apply(to c: inout GANConfiguration) {
    if let v = criticSteps { c.criticSteps = v }
    if let v = gradientPenalty { c.gradientPenalty = v }
    if let v = generatorLearningRate { c.generatorLearningRate = v }
    if let v = criticLearningRate { c.criticLearningRate = v }
    if let v = generatorWidth { c.generatorWidths = c.generatorWidths.map { _ in v } }
    if let v = criticWidth { c.criticWidths = c.criticWidths.map { _ in v } }
    if let v = discreteSampling { c.discreteSampling = v }
    if let v = emaDecay { c.generatorAverageDecay = v }
  }

  /// Applies the diffusion options given.
  func apply(to c: inout DiffusionConfiguration) {
    if let v = diffusionSteps {
      c.timesteps = v
      c.samplingSteps = Swift.min(c.samplingSteps, v)
    }
    if let v = samplingSteps { c.samplingSteps = v }
    if let v = schedule { c.schedule = v }
    if let v = denoiserWidth { c.width = v }
    if let v = denoiserDepth { c.depth = v }
    if let v = learningRate { c.learningRate = v }
    if let v = emaDecay { c.emaDecay = v }
  }
}

extension GANConfiguration.DiscreteSampling: ExpressibleByArgument {}
extension NoiseSchedule.Kind: ExpressibleByArgument {}
