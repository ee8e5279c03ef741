import Glibc
import Synchronization

extension FolderIndex {
    /// Keeps the index current until the calling task is cancelled.
    ///
    /// inotify events (one watch per directory, new directories watched as they
    /// appear) are debounced for ~150 ms and applied with `refresh(ids:)`; a queue
    /// overflow triggers a full `rescan()`. Independently, `rescan()` runs every
    /// `options.rescanInterval`, because inotify is blind on network and some FUSE
    /// filesystems. If inotify is unavailable (instance limit), only the periodic
    /// rescan runs. Returns promptly on cancellation: the reader thread is woken
    /// through a pipe and exits.
    public func watch() async {
        guard !Task.isCancelled else { return }
        guard let watcher = try? FolderWatcher(scanner: scanner, rootPath: root, includeHidden: options.includeHidden)
        else {
            await rescanPeriodically(watcher: nil)
            return
        }
        // Watches go in during this scan, so any change after it is reported as an event.
        await rescan { fd, path in watcher.addWatch(fd: fd, path: path) }

        let (batches, continuation) = AsyncStream.makeStream(of: WatchBatch.self, bufferingPolicy: .unbounded)
        continuation.onTermination = { _ in watcher.stop() }
        let started = spawnDetachedThread {
            watcher.run { continuation.yield($0) }
            continuation.finish()
        }
        if !started { continuation.finish() }

        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rescanPeriodically(watcher: watcher) }
                group.addTask {
                    for await batch in batches {
                        await self.apply(batch, watcher: watcher)
                    }
                }
                await group.waitForAll()
            }
        } onCancel: {
            watcher.stop()
            continuation.finish()
        }
    }

    private func rescanPeriodically(watcher: FolderWatcher?) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: options.rescanInterval)
            } catch {
                return
            }
            await rescan { fd, path in watcher?.addWatch(fd: fd, path: path) }
        }
    }

    private func apply(_ batch: WatchBatch, watcher: FolderWatcher) async {
        if batch.overflow {
            await rescan { fd, path in watcher.addWatch(fd: fd, path: path) }
            return
        }
        var ids = Array(batch.ids)
        if !batch.removedDirectories.isEmpty {
            let prefixes = batch.removedDirectories.map { $0 + "/" }
            let underRemoved = state.withLock { state in
                state.index.slotByID.keys.filter { id in prefixes.contains { id.hasPrefix($0) } }
                    + state.skipped.keys.filter { id in prefixes.contains { id.hasPrefix($0) } }
            }
            ids += underRemoved
        }
        await refresh(ids: ids.sorted())
    }
}
