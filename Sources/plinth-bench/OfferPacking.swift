import MesosAPI
import SchedulerClient

/// Fills one offer with as many identical command tasks as fit, numbering them from `next`:
/// both launch benchmarks pack offers this way.
func packTasks(into offer: Offer, each resources: Resources, command: String, prefix: String,
               from next: Int, upTo total: Int) -> [TaskInfo] {
    var available = Resources(offer.resources)
    var batch: [TaskInfo] = []
    while next + batch.count < total, available.contains(resources) {
        let id = TaskID("\(prefix)\(next + batch.count)")
        batch.append(TaskInfo(name: id.value, taskId: id, agentId: offer.agentId,
                              resources: resources.resources, command: CommandInfo(value: command)))
        available = available - resources
    }
    return batch
}

/// Answers one OFFERS event for the long-running benchmarks: each offer is packed with tasks
/// until `total` are launched, then declined for good. Returns the tasks launched.
func launchLongRunning(_ offers: [Offer], on connection: SchedulerConnection, each resources: Resources,
                       command: String, prefix: String, from next: Int, upTo total: Int) async throws -> [TaskInfo] {
    var launched: [TaskInfo] = []
    for offer in offers {
        let batch = packTasks(into: offer, each: resources, command: command, prefix: prefix,
                              from: next + launched.count, upTo: total)
        launched += batch
        if batch.isEmpty {
            try await connection.decline([offer.id], refuseSeconds: 1000)
        } else {
            try await connection.launch(batch, offers: [offer.id], refuseSeconds: 1000)
        }
    }
    return launched
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
