#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Ctrl-C (SIGINT) prints before the process ends: where the finished work is kept and the
/// command that resumes it. The handler only writes the prepared bytes and exits with 130 (the
/// shell's status for SIGINT), both async-signal-safe; files are written whole and renamed into
/// place, so an interruption anywhere leaves no half-written one.
enum InterruptNotice {
    nonisolated(unsafe) static var message: UnsafeMutableBufferPointer<UInt8>?

    static func install(_ text: String) {
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        let old = message
        message = buffer
        old?.deallocate()
        signal(SIGINT) { _ in
            if let m = InterruptNotice.message { _ = write(2, m.baseAddress, m.count) }
            _exit(130)
        }
        // A parent may have blocked SIGINT (test runners and some launchers do, and the mask is
        // inherited): unblock it here, so Ctrl-C reaches the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
