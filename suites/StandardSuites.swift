// The built-in suites are the JSON files of this folder (`optbench help suite-file` gives
// their schema); Package.swift embeds each in the binary, and the standard catalog lists them.

/// The built-in suites' files as embedded in the binary: catalog name, path and text.
public enum StandardSuites {
    public static let files: [(name: String, path: String, text: String)] = [
        ("default", "suites/default.json", text(PackageResources.default_json)),
        ("classical", "suites/classical.json", text(PackageResources.classical_json)),
        ("smoke", "suites/smoke.json", text(PackageResources.smoke_json)),
        ("nets", "suites/nets.json", text(PackageResources.nets_json)),
        ("nets-accuracy", "suites/nets-accuracy.json", text(PackageResources.nets_accuracy_json)),
        ("nets-conv", "suites/nets-conv.json", text(PackageResources.nets_conv_json)),
        ("nets-preconditioned", "suites/nets-preconditioned.json", text(PackageResources.nets_preconditioned_json)),
    ]

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
