import Allocator
import HTTPSupport
import MesosAPI

public struct MasterConfig: Sendable {
    public var ip: String
    public var port: Int
    /// `--advertise_ip` / `--advertise_port`: the address others reach this master at (its
    /// libprocess name, its MasterInfo), when that is not the one it listens on (0.0.0.0, NAT).
    public var advertiseIP: String?
    public var advertisePort: Int?
    public var hostname: String
    public var workDir: String?
    /// `--log_dir`: where the master also writes its log, served as `/master/log` by the file API.
    public var logDir: String?
    public var logFile: String? { logDir.map { "\($0)/plinth-master.log" } }
    /// The master's file API: its log under the virtual path `/master/log`, as Mesos names it.
    public var files: FilesEndpoint? {
        guard let logDir, let logFile else { return nil }
        return FilesEndpoint(root: logDir, aliases: ["/master/log": logFile])
    }
    public var allocationInterval: Duration
    /// How soon after something frees resources (or a REVIVE) an extra allocation round runs;
    /// nil leaves rounds to the periodic timer and explicit calls, which tests that drive the
    /// master by hand need to stay deterministic.
    public var eagerAllocationDelay: Duration? = .milliseconds(2)
    public var offerTimeout: Duration?
    /// How long a disconnected agent keeps its tasks before the master declares them lost
    /// (Mesos: ping timeout × max ping timeouts).
    public var agentRemovalTimeout: Duration
    public var heartbeatInterval: Duration
    public var maxCompletedFrameworks: Int
    public var maxCompletedTasksPerFramework: Int
    /// `--weights=eng=2,ops=3`: initial role weights; weights set through the API and stored in
    /// the registry take precedence.
    public var weights: [String: Double] = [:]
    /// The flags the master was started with, as given or defaulted: what GET_FLAGS and
    /// `/master/flags` show.
    public var flags: [String: String] = [:]
    /// `--agent_reregister_timeout`: how long a master that recovered the registry waits for
    /// its admitted agents before marking the missing ones unreachable.
    public var agentReregisterTimeout: Duration = .seconds(600)
    /// `--recovery_agent_removal_limit`: above this fraction of admitted agents missing after
    /// recovery, none is marked (something larger is wrong than a few dead machines).
    public var recoveryAgentRemovalLimit: Double = 1.0
    /// `--agent_removal_rate_limit`: at most one agent marked unreachable per this interval.
    public var agentRemovalInterval: Duration?
    /// `--roles`: when set, frameworks may only use these roles (and `*`).
    public var roleWhitelist: Set<String>?
    /// `--min_allocatable_resources`, `--role_sorter`, `--framework_sorter`.
    public var allocator = AllocatorConfig()

    public init(ip: String = "127.0.0.1", port: Int = 5050, hostname: String? = nil, workDir: String? = nil,
                allocationInterval: Duration = .seconds(1), offerTimeout: Duration? = nil,
                agentRemovalTimeout: Duration = .seconds(75), heartbeatInterval: Duration = .seconds(15)) {
        self.ip = ip
        self.port = port
        self.hostname = hostname ?? ip
        self.workDir = workDir
        self.allocationInterval = allocationInterval
        self.offerTimeout = offerTimeout
        self.agentRemovalTimeout = agentRemovalTimeout
        self.heartbeatInterval = heartbeatInterval
        self.maxCompletedFrameworks = 50
        self.maxCompletedTasksPerFramework = 1000
    }
}

public let plinthMesosVersion = "1.11.0"
