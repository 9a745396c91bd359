/// How a task's command is wrapped so that it starts inside its container: it joins its
/// cgroups before anything of the task's runs, then enters new namespaces and, with an image,
/// its root filesystem. Each layer is a small `sh` or util-linux step that ends in `exec`, so
/// the pid the agent spawned stays the container's leader and its process group.
public struct ContainerLaunch: Sendable, Equatable {
    /// `cgroup.procs` files the leader writes its pid to first.
    public var cgroupProcs: [String] = []
    public var pidNamespace = false
    public var mountNamespace = false
    /// With an image: the provisioned root filesystem, the host sandbox to mount at
    /// `/mnt/mesos/sandbox`, the working directory inside, and the user to switch to.
    public var image: Image?

    public struct Image: Sendable, Equatable {
        public var rootfs: String
        public var sandbox: String
        public var workingDirectory: String
        public var user: (uid: UInt32, gid: UInt32)?

        public init(rootfs: String, sandbox: String, workingDirectory: String, user: (uid: UInt32, gid: UInt32)? = nil) {
            self.rootfs = rootfs
            self.sandbox = sandbox
            self.workingDirectory = workingDirectory
            self.user = user
        }

        public static func == (a: Image, b: Image) -> Bool {
            a.rootfs == b.rootfs && a.sandbox == b.sandbox && a.workingDirectory == b.workingDirectory
                && a.user?.uid == b.user?.uid && a.user?.gid == b.user?.gid
        }
    }

    /// Where an image container sees its sandbox, as in Mesos.
    public static let imageSandbox = "/mnt/mesos/sandbox"
    /// The exit status of a wrapper step that failed before the task ran.
    public static let setupFailureStatus: Int32 = 125

    public init(cgroupProcs: [String] = [], pidNamespace: Bool = false, mountNamespace: Bool = false, image: Image? = nil) {
        self.cgroupProcs = cgroupProcs
        self.pidNamespace = pidNamespace
        self.mountNamespace = mountNamespace
        self.image = image
    }

    public var isPlain: Bool { cgroupProcs.isEmpty && !pidNamespace && !mountNamespace && image == nil }

    /// The full argv: `argv` is the task's own command (already switched to its user, except
    /// with an image, where the switch happens after entering the root filesystem).
    public func wrap(_ argv: [String]) -> [String] {
        var command = argv
        if pidNamespace || mountNamespace || image != nil {
            command = namespaces(command)
        }
        if !cgroupProcs.isEmpty {
            let join = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit \(Self.setupFailureStatus); shift; done; shift; exec \"$@\""
            command = ["/bin/sh", "-c", join, "plinth-cgroups"] + cgroupProcs + ["--"] + command
        }
        return command
    }

    private func namespaces(_ argv: [String]) -> [String] {
        var unshare = ["/usr/bin/unshare", "--mount", "--propagation", "private"]
        if pidNamespace {
            unshare += ["--pid", "--fork", "--kill-child"]
            // A fresh /proc shows only the container's processes; an image mounts its own.
            if image == nil { unshare.append("--mount-proc") }
        }
        var script = ""
        var arguments: [String] = []
        var runner = ""
        if let image {
            script += Self.imageSetup
            arguments = [image.rootfs, image.sandbox, image.workingDirectory]
            if let user = image.user {
                runner = "/usr/sbin/chroot --userspec=\(user.uid):\(user.gid) \"$r\" /bin/sh -c 'cd \"$0\" || exit \(Self.setupFailureStatus); exec \"$@\"' \"$w\" "
            } else {
                runner = "/usr/bin/unshare --root=\"$r\" --wd=\"$w\" -- "
            }
        }
        // As pid 1 the shell stays behind as the container's init, so the task is its child
        // and orphans are reaped; otherwise the task replaces it.
        script += pidNamespace ? "\(runner)\"$@\" & wait $!" : "exec \(runner)\"$@\""
        return unshare + ["--", "/bin/sh", "-c", script, "plinth-container"] + arguments + argv
    }

    /// Mounts the sandbox, a /proc and a minimal /dev into the root filesystem. Only what
    /// exists on the host is bound: a microVM kernel may lack devices a full one has.
    static var imageSetup: String {
        let fail = "exit \(setupFailureStatus)"
        return "r=$1; s=$2; w=$3; shift 3; "
            + "/bin/mkdir -p \"$r\(imageSandbox)\" \"$r/proc\" \"$r/dev\" \"$r/tmp\" || \(fail); "
            + "/bin/mount --bind \"$s\" \"$r\(imageSandbox)\" || \(fail); "
            + "/bin/mount -t proc proc \"$r/proc\" || \(fail); "
            + "/bin/mount -t tmpfs -o mode=755,nosuid tmpfs \"$r/dev\" || \(fail); "
            + "for d in null zero full random urandom tty; do if [ -e /dev/$d ]; then : > \"$r/dev/$d\" && /bin/mount --bind /dev/$d \"$r/dev/$d\"; fi; done; "
            + "/bin/mkdir -p \"$r/dev/shm\" \"$r/dev/pts\" && /bin/mount -t tmpfs -o mode=1777 tmpfs \"$r/dev/shm\"; "
            + "/bin/ln -s /proc/self/fd \"$r/dev/fd\"; /bin/ln -s /proc/self/fd/0 \"$r/dev/stdin\"; /bin/ln -s /proc/self/fd/1 \"$r/dev/stdout\"; /bin/ln -s /proc/self/fd/2 \"$r/dev/stderr\"; "
    }
}
