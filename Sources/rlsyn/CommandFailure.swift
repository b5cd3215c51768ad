import ArgumentParser

/// A failure with a plain message; `reportingErrors` prints it as one line `error: …` with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
  init(_ error: any Error) { description = String(describing: error) }
}
