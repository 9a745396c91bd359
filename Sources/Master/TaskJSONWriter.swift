import HTTPSupport
import MesosAPI

/// A task in Mesos's legacy JSON. Tasks are most of a large `/master/state`, so they are written
/// straight to bytes rather than through a tree of `JSONValue`s; this is the only place their
/// shape is spelled out. A task changes a few times in its life and is read by every document in
/// between, so the master writes its bytes when it changes (launch, status update, completion)
/// and documents copy them. Tasks adopted from re-registering agents are written by the
/// document until their next change: a failover should not pay for readers it may not have.
extension StateView {
    func tasksJSON<Tasks: Collection & Sendable>(_ tasks: Tasks) -> JSONValue where Tasks.Element == TaskEntry {
        .stream(size: tasks.count * 400) { out in
            out.append(UInt8(ascii: "["))
            var first = true
            for task in tasks {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeTask(task, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    func writeTask(_ task: TaskEntry, into out: inout [UInt8]) {
        if let frozen = task.frozenJSON {
            out.append(contentsOf: frozen.value)
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(384)
            Self.writeTask(task, resources: legacyBytes(task.resources), into: &bytes)
            out.append(contentsOf: bytes)
            if !task.state.isTerminal {
                legacyMemo.writtenTasks.append(WrittenTask(key: TaskKey(framework: task.frameworkID, task: task.taskID),
                                                           revision: task.revision, bytes: bytes))
            }
        }
    }

    static func writeTask(_ task: TaskEntry, resources: [UInt8], into out: inout [UInt8]) {
        func key(_ name: StaticString) {
            name.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func string(_ value: String) { JSONValue.quote(value, into: &out) }
        key(#"{"id":"#); string(task.taskID.value)
        key(#","name":"#); string(task.name)
        key(#","framework_id":"#); string(task.frameworkID.value)
        key(#","executor_id":"#); string(task.executorID?.value ?? "")
        key(#","slave_id":"#); string(task.agentID.value)
        key(#","state":"#); string(task.state.rawValue)
        key(#","resources":"#); out.append(contentsOf: resources)
        key(#","role":"#); string(task.role)
        key(#","statuses":["#)
        for (index, status) in task.statuses.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            key(#"{"state":"#); string(status.state.rawValue)
            key(#","timestamp":"#); JSONValue.number(status.timestamp ?? 0, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        key("]}")
    }

    func legacyBytes(_ resources: Resources) -> [UInt8] { legacyMemo.legacyBytes(resources) }
}

extension TaskEntry {
    /// Writes the task's legacy JSON now, for every document until its next change.
    mutating func freeze() {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(384)
        var resources: [UInt8] = []
        StateView.legacy(self.resources).write(into: &resources)
        StateView.writeTask(self, resources: resources, into: &bytes)
        frozenJSON = Box(bytes)
    }
}
