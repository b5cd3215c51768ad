import ArgumentParser

/// A failure reported as one line on stderr (`Error: …`) with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
  init(_ error: any Error) { description = String(describing: error) }
}
