import MesosAPI

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

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
