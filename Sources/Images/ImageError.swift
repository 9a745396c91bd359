import Foundation

/// The one error type of the Images module.
///
/// A single message-carrying type (rather than an enum of cases) because every caller does the
/// same thing with it: put the text into a TASK_FAILED status message, as Mesos does with the
/// provisioner's failure strings.
public struct ImageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// Wraps any error with context, keeping an `ImageError`'s own text instead of Swift's
    /// generic rendering of it.
    static func wrapping(_ error: any Error, _ context: String) -> ImageError {
        let detail = (error as? ImageError)?.message ?? String(describing: error)
        return ImageError("\(context): \(detail)")
    }
}
