import Foundation

/// Runs the real `rlsyn` executable built alongside the tests (end-to-end tests).
public enum CommandRunner {
  /// The outcome of one run.
  public struct Result: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
  }

  /// The package root (two levels above this file's folder).
  public static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// The shared stand-in datasets beside the project (`../shared/datasets`), or the bundled copies.
  public static func dataset(_ name: String) -> URL {
    let bundled = packageRoot.appendingPathComponent("examples/data/\(name)")
    if FileManager.default.fileExists(atPath: bundled.path) { return bundled }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/\(name)")
  }

  /// The `rlsyn` binary: `RLSYN_BINARY` when set, else next to the running test bundle.
  public static var executable: URL {
    if let env = ProcessInfo.processInfo.environment["RLSYN_BINARY"] { return URL(fileURLWithPath: env) }
    var dir = Bundle.main.bundleURL
    for _ in 0..<3 {
      let candidate = dir.appendingPathComponent("rlsyn")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL.appendingPathComponent("rlsyn")
  }

  /// Runs `rlsyn` with `arguments`, waiting for it to finish; `standardInput`, when given, is its standard input (a pipe).
  public static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
                         standardInput: Data? = nil) throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    if let dir = currentDirectory { process.currentDirectoryURL = dir }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = standardInput.map { _ in Pipe() }
    if let input { process.standardInput = input }
    try process.run()
    if let input, let standardInput {
      input.fileHandleForWriting.write(standardInput)
      try input.fileHandleForWriting.close()
    }
    // Drain both pipes concurrently with the child so neither can fill up and block it.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    process.waitUntilExit()
    group.wait()
    return Result(status: process.terminationStatus,
                  stdout: String(decoding: outData, as: UTF8.self),
                  stderr: String(decoding: errData, as: UTF8.self))
  }

  /// A fresh empty temporary directory.
  public static func temporaryDirectory(_ label: String = "rlsyn-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
