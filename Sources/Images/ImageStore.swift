import Foundation

/// The docker image provider with a local registry: Mesos's `--image_providers=docker` with
/// `--docker_registry` set to a directory of `docker save` archives named
/// `<repository>:<tag>.tar`, and `--docker_store_dir` holding the extracted layers.
public actor ImageStore {
    public let registry: String
    public let storeDirectory: String

    /// Pulls under way, so that concurrent pulls of one image share one extraction.
    private var inFlight: [ImageReference: Task<Result<ProvisionedImage, ImageError>, Never>] = [:]
    /// The last pull of each image and the archive it came from: launching many tasks from
    /// one image then reads the archive once, yet a replaced archive is noticed.
    private var pulled: [ImageReference: (stamp: ImageLoader.Stamp, image: ProvisionedImage)] = [:]

    public init(registry: String, storeDirectory: String) {
        self.registry = registry
        self.storeDirectory = storeDirectory
    }

    /// Finds `<repository>:<tag>.tar` in the registry and makes sure each of its layers is
    /// extracted in the store (once: layers already there, from any earlier pull or
    /// ImageStore, are reused). The result's layers are in overlayfs's whiteout form.
    public func pull(_ name: String) async throws(ImageError) -> ProvisionedImage {
        let reference = try ImageReference(parsing: name)
        if let running = inFlight[reference] {
            return try await running.value.get()
        }
        let loader = ImageLoader(registry: registry, storeDirectory: storeDirectory)
        // The task runs on this actor (it inherits the isolation), but its two slow steps
        // run on Dispatch threads, so other pulls proceed while it waits.
        let task = Task<Result<ProvisionedImage, ImageError>, Never> {
            do throws(ImageError) {
                let (path, stamp) = try await Blocking.run { () throws(ImageError) in try loader.locate(reference) }
                if let last = self.reusable(reference, stamp) { return .success(last) }
                let image = try await Blocking.run { () throws(ImageError) in try loader.load(reference, from: path) }
                self.remember(reference, stamp, image)
                return .success(image)
            } catch {
                return .failure(error)
            }
        }
        inFlight[reference] = task
        let result = await task.value
        inFlight[reference] = nil
        return try result.get()
    }

    private func reusable(_ reference: ImageReference, _ stamp: ImageLoader.Stamp) -> ProvisionedImage? {
        guard let last = pulled[reference], last.stamp == stamp,
              last.image.layerPaths.allSatisfy({ FileSystem.kind($0) == .directory })
        else { return nil }
        return last.image
    }

    private func remember(_ reference: ImageReference, _ stamp: ImageLoader.Stamp, _ image: ProvisionedImage) {
        pulled[reference] = (stamp, image)
    }
}
