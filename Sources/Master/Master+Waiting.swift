import Allocator
import HTTPSupport
import MesosAPI

/// A SUBSCRIBE the master turned down, kept briefly for `/master/waiting`.
struct RefusedSubscription: Sendable {
    var name: String
    var roles: [String]
    /// ROLE_NOT_ALLOWED or REFUSED.
    var reason: String
    var message: String
    var time: Double
}

extension Master {
    func noteRefusal(_ info: FrameworkInfo, _ message: String, reason: String) {
        refusedSubscriptions.append(RefusedSubscription(name: info.name, roles: Validation.frameworkRoles(info),
                                                        reason: reason, message: message, time: wallClock))
        if refusedSubscriptions.count > 20 { refusedSubscriptions.removeFirst() }
    }
}

extension StateView {
    /// `/master/waiting`: for every framework, what keeps offers from it (the allocator's
    /// obstacles, plus the offers it sits on), and the subscriptions refused lately. Times are
    /// wall-clock seconds, so a browser can show them. Built from a view, off the master's actor,
    /// as the UI polls it.
    public func waitingJSON() -> JSONValue {
        let offset = wallOffset
        let listed = frameworks.values.sorted { $0.registeredTime < $1.registeredTime }.map { entry in
            var reasons = allocator.obstacles(for: entry.id, wanting: entry.requested, now: now)
                .map { Master.reasonJSON($0, now: now, wallOffset: offset) }
            if !entry.offers.isEmpty {
                reasons.append(.object([("reason", "OFFERS_OUTSTANDING"),
                                        ("message", .string("it holds \(entry.offers.count) offer(s) it has not answered"))]))
            }
            let staging = entry.tasks.values.filter { $0.state == .TASK_STAGING }.count
            return JSONValue.object([
                ("id", .string(entry.id.value)), ("name", .string(entry.info.name)),
                ("roles", .array(entry.roles.map { .string($0) })), ("active", .bool(entry.active)),
                ("requested", .array(entry.requested.map(Master.scalarsJSON))),
                ("offers", .int(Int64(entry.offers.count))), ("tasks_staging", .int(Int64(staging))),
                ("reasons", .array(reasons)),
            ])
        }
        let refused = refusedSubscriptions.reversed().map { refusal in
            JSONValue.object([
                ("name", .string(refusal.name)), ("roles", .array(refusal.roles.map { .string($0) })),
                ("reason", .string(refusal.reason)),
                ("message", .string(refusal.message)), ("time", .number(refusal.time)),
            ])
        }
        return .object([("frameworks", .array(listed)), ("refused_subscriptions", .array(refused))])
    }
}

extension Master {
    static func reasonJSON(_ obstacle: OfferObstacle, now: Double, wallOffset: Double) -> JSONValue {
        switch obstacle {
        case .inactive:
            return reason("INACTIVE", "the framework is disconnected or deactivated")
        case .suppressed(let roles):
            return reason("SUPPRESSED", "it suppressed offers for \(roles.joined(separator: ", "))")
        case .filtered(let role, let agents, let until):
            let left = Int((until - now).rounded(.up))
            return .object([("reason", "DECLINE_FILTERED"), ("role", .string(role)),
                            ("message", .string("it declined offers of \(agents) agent(s) for \(role) with a filter; the last lifts in \(left) s")),
                            ("until", .number(until + wallOffset))])
        case .quotaLimit(let role, let resources):
            return .object([("reason", "QUOTA_LIMIT"), ("role", .string(role)),
                            ("message", .string("role \(role) reached its quota limit of \(resources.joined(separator: ", "))"))])
        case .noAgentFits(let role, let wanted, let largest, let busy):
            let message = busy
                ? "no agent has \(describe(wanted)) free for \(role) now; the most free on one agent is \(describe(largest))"
                : "no agent is big enough for \(describe(wanted)) in \(role); the largest has \(describe(largest))"
            return .object([("reason", "NO_AGENT_FITS"), ("role", .string(role)), ("message", .string(message)),
                            ("wanted", scalarsJSON(wanted)), ("largest", scalarsJSON(largest)), ("busy", .bool(busy))])
        case .nothingFree(let role):
            return .object([("reason", "NO_FREE_RESOURCES"), ("role", .string(role)),
                            ("message", .string("no agent has free resources for \(role)"))])
        case .noActiveAgents:
            return reason("NO_ACTIVE_AGENTS", "no agent is active (all are deactivated, draining or gone)")
        }
    }

    private static func reason(_ code: String, _ message: String) -> JSONValue {
        .object([("reason", .string(code)), ("message", .string(message))])
    }

    private static func describe(_ scalars: [String: Double]) -> String {
        scalars.sorted { $0.key < $1.key }.map { name, amount in
            "\(name):\(amount == amount.rounded() ? String(Int(amount)) : String(amount))"
        }.joined(separator: ";")
    }

    static func scalarsJSON(_ scalars: [String: Double]) -> JSONValue {
        .object(scalars.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
    }
}
