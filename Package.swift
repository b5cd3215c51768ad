// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top (each target depends only on targets below it, and lists only what it imports):
//   NumericCore ← Autodiff ← NeuralNetworks ← Synthesizers (which also uses TabularData);
//   TabularData on NumericCore; Evaluation on NumericCore and TabularData; Reporting on Evaluation;
//   Benchmarking (the `rlsyn benchmark` pipeline) on Synthesizers, Evaluation and Reporting;
//   `rlsyn` on Benchmarking and the libraries its commands use (not Autodiff or NeuralNetworks);
//   `rlsyn-bench` on the layers it times.
// Privacy (the differential-privacy accountant) stands alone and depends on nothing.
let package = Package(
  name: "RLSyn",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "rlsyn", targets: ["rlsyn"]),
    .executable(name: "rlsyn-bench", targets: ["rlsyn-bench"]),
    .library(name: "NumericCore", targets: ["NumericCore"]),
    .library(name: "Autodiff", targets: ["Autodiff"]),
    .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
    .library(name: "TabularData", targets: ["TabularData"]),
    .library(name: "Synthesizers", targets: ["Synthesizers"]),
    .library(name: "Evaluation", targets: ["Evaluation"]),
    .library(name: "Reporting", targets: ["Reporting"]),
    .library(name: "Benchmarking", targets: ["Benchmarking"]),
    .library(name: "Privacy", targets: ["Privacy"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
  ],
  targets: [
    // MARK: - Library modules
    .target(
      name: "NumericCore",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")],
      linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux])), .linkedLibrary("dl", .when(platforms: [.linux]))]
    ),
    .target(name: "Autodiff", dependencies: ["NumericCore"]),
    .target(name: "NeuralNetworks", dependencies: ["NumericCore", "Autodiff"]),
    .target(name: "TabularData", dependencies: ["NumericCore"]),
    .target(name: "Synthesizers", dependencies: ["NumericCore", "Autodiff", "NeuralNetworks", "TabularData", "Privacy"]),
    .target(name: "Evaluation", dependencies: ["NumericCore", "TabularData"]),
    .target(name: "Reporting", dependencies: ["Evaluation"]),
    .target(name: "Benchmarking", dependencies: ["NumericCore", "TabularData", "Synthesizers", "Evaluation", "Reporting"]),
    .target(name: "Privacy"),

    // MARK: - Command-line tool
    .executableTarget(
      name: "rlsyn",
      dependencies: [
        "NumericCore", "TabularData", "Synthesizers", "Evaluation", "Reporting", "Benchmarking",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // Benchmarks live here (not in timed tests): `swift run -c release rlsyn-bench --help`.
    .executableTarget(
      name: "rlsyn-bench",
      dependencies: [
        "NumericCore", "Autodiff", "NeuralNetworks", "TabularData", "Synthesizers", "Evaluation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tests
    .target(name: "TestSupport", dependencies: ["NumericCore", "Autodiff"], path: "Tests/TestSupport"),
    .testTarget(name: "NumericCoreTests", dependencies: ["NumericCore", "TestSupport"]),
    .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"]),
    .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "TestSupport"]),
    .testTarget(name: "TabularDataTests", dependencies: ["TabularData", "TestSupport"]),
    .testTarget(name: "SynthesizersTests", dependencies: ["Synthesizers", "Privacy", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
    .testTarget(name: "BenchmarkingTests", dependencies: ["Benchmarking"]),
    .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "NeuralNetworks", "TabularData"], exclude: ["Fixtures"]),
    .testTarget(name: "PrivacyTests", dependencies: ["Privacy"], exclude: ["Fixtures"]),
  ]
)
