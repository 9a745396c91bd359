import Foundation
import Allocator
import HTTPSupport
import MesosAPI
import Registry

/// Weights and quota: operator decisions about roles, validated, made durable in the
/// registry, then applied to the allocator.
extension Master {
    public enum OperatorOutcome: Sendable, Equatable {
        case ok
        case badRequest(String)
        case conflict(String)
        case unavailable(String)
    }

    public var roleWeights: [String: Double] { weights }
    public var roleQuotas: [String: QuotaConfig] { quotas }

    func applyWeight(_ weight: Double, role: String) {
        weights[role] = weight
        allocator.setWeight(weight, forRole: role)
    }

    func applyQuota(_ config: QuotaConfig) {
        if config.isEmpty { quotas[config.role] = nil } else { quotas[config.role] = config }
        allocator.setQuota(role: config.role, guarantees: config.guaranteeAmounts, limits: config.limitAmounts)
    }

    public func updateWeights(_ infos: [WeightInfo]) async -> OperatorOutcome {
        var updates: [String: Double] = [:]
        for info in infos {
            guard let role = info.role else { return .badRequest("Every weight must name its role") }
            if let problem = RoleName.check(role) { return .badRequest(problem) }
            if role == "*" { return .badRequest("The default role '*' cannot be weighted") }
            guard info.weight.isFinite, info.weight > 0 else {
                return .badRequest("Weight of role '\(role)' must be a positive number, not \(info.weight)")
            }
            updates[role] = info.weight
        }
        guard await persist([.setWeights(updates)]) else { return .unavailable("Failed to store the weights") }
        for (role, weight) in updates { applyWeight(weight, role: role) }
        requestAllocation()
        return .ok
    }

    public func updateQuota(_ configs: [QuotaConfig], force: Bool) async -> OperatorOutcome {
        for config in configs {
            if let problem = checkQuota(config, force: force) { return .badRequest(problem) }
        }
        let operations: [RegistryOperation] = configs.map { $0.isEmpty ? .removeQuota(role: $0.role) : .setQuota($0) }
        guard await persist(operations) else { return .unavailable("Failed to store the quota") }
        configs.forEach(applyQuota)
        requestAllocation()
        return .ok
    }

    /// Mesos's quota rules: a valid non-default role, non-negative finite scalar amounts of
    /// cpus, mem, disk and gpus, and guarantees no larger than limits. Without `force`, the
    /// guarantees of all roles must fit in the cluster.
    func checkQuota(_ config: QuotaConfig, force: Bool) -> String? {
        if let problem = RoleName.check(config.role) { return problem }
        if config.role == "*" { return "The default role '*' cannot have quota" }
        let allowed: Set<String> = ["cpus", "mem", "disk", "gpus"]
        for (name, amount) in config.guaranteeAmounts.merging(config.limitAmounts, uniquingKeysWith: { a, _ in a }) {
            if !allowed.contains(name) { return "Quota of role '\(config.role)' names '\(name)': only cpus, mem, disk and gpus can have quota" }
            if !(amount.isFinite && amount >= 0) { return "Quota of role '\(config.role)' has an invalid amount \(amount) of \(name)" }
        }
        for (name, guarantee) in config.guaranteeAmounts {
            if let limit = config.limitAmounts[name], guarantee > limit {
                return "Quota of role '\(config.role)': the guarantee of \(guarantee) \(name) is above its limit of \(limit)"
            }
        }
        if !force {
            var guarantees = quotas.filter { $0.key != config.role }.values.map(\.guaranteeAmounts)
            guarantees.append(config.guaranteeAmounts)
            let total = agents.values.reduce(into: Resources()) { $0 += $1.total }
            for name in allowed {
                let wanted = guarantees.reduce(0) { $0 + ($1[name] ?? 0) }
                if wanted > total.scalar(name) + 1e-9 {
                    return "Total quota guarantees of \(wanted) \(name) exceed the cluster's \(total.scalar(name)); use 'force' to set it anyway"
                }
            }
        }
        return nil
    }
}

extension Master {
    public func operatorTeardown(_ id: FrameworkID) async -> OperatorOutcome {
        guard frameworks[id] != nil else { return .badRequest("No framework found with specified ID") }
        return await tearDown(id) ? .ok : .unavailable("Failed to remove the framework from the registry")
    }

    func masterJSON() -> JSONValue {
        .object([
            ("master_info", .object([
                ("id", .string(info.id)), ("ip", .int(Int64(info.ip))), ("port", .int(Int64(info.port))),
                ("pid", .string(info.pid ?? "")), ("hostname", .string(info.hostname ?? "")),
                ("version", .string(plinthMesosVersion)),
                ("address", .object([("hostname", .string(config.hostname)), ("ip", .string(config.advertiseIP ?? config.ip)),
                                     ("port", .int(Int64(info.port)))])),
            ])),
            ("start_time", .number(startTime)), ("elected_time", .number(startTime)),
        ])
    }

    /// `/master/roles` and GET_ROLES: every role with a framework, a weight or quota.
    /// Roles as `/roles` lists them (Mesos's legacy shape: resources by name, framework IDs as
    /// strings, allocation and quota), or as GET_ROLES answers (`operator`: the v1 `Role`
    /// message, resources and framework IDs as messages, which protobuf clients can read).
    public func rolesJSON(operator v1: Bool = false) -> JSONValue {
        var names = Set(weights.keys).union(quotas.keys)
        var members: [String: [FrameworkID]] = [:]
        for framework in frameworks.values {
            for role in Validation.frameworkRoles(framework.info) {
                names.insert(role)
                members[role, default: []].append(framework.id)
            }
        }
        return .array(names.sorted().map { role in
            var used = Resources()
            for id in members[role] ?? [] {
                for task in frameworks[id]?.tasks.values.filter({ !$0.state.isTerminal }) ?? [] { used += task.resources }
            }
            let frameworkIDs = (members[role] ?? []).sorted()
            if v1 {
                return .object([
                    ("name", .string(role)), ("weight", .number(weights[role] ?? 1)),
                    ("frameworks", .array(frameworkIDs.map { .object([("value", .string($0.value))]) })),
                    ("resources", .raw(Array((try? WireCodec.encode(used.resources)) ?? Data("[]".utf8)))),
                ])
            }
            var pairs: [(String, JSONValue)] = [
                ("name", .string(role)), ("weight", .number(weights[role] ?? 1)),
                ("resources", StateView.legacy(used)), ("allocated", StateView.legacy(used)),
                ("frameworks", .array(frameworkIDs.map { .string($0.value) })),
            ]
            if let quota = quotas[role] { pairs.append(("quota", QuotaJSON.config(quota))) }
            return .object(pairs)
        })
    }
}
