/// A Mesos identifier: on the wire every ID is an object `{"value": "..."}`.
/// The phantom `Kind` keeps a task ID from being passed where an agent ID is expected.
public struct Identifier<Kind>: Codable, Hashable, Sendable, CustomStringConvertible, Comparable {
    public var value: String
    public init(_ value: String) { self.value = value }
    public init(value: String) { self.value = value }
    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

public enum FrameworkKind {}
public enum AgentKind {}
public enum OfferKind {}
public enum TaskKind {}
public enum ExecutorKind {}
public enum ContainerKind {}
public enum OperationKind {}

public typealias FrameworkID = Identifier<FrameworkKind>
public typealias AgentID = Identifier<AgentKind>
public typealias OfferID = Identifier<OfferKind>
public typealias TaskID = Identifier<TaskKind>
public typealias ExecutorID = Identifier<ExecutorKind>
public typealias ContainerID = Identifier<ContainerKind>
public typealias OperationID = Identifier<OperationKind>
