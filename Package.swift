// swift-tools-version:6.1
// assessment-batch is licensed under the Apache License, Version 2.0: see LICENSE at the
// repository root (the .deb built by scripts/package carries it in its copyright file).
import PackageDescription

/// Every target compiles in Swift 6 language mode with strict concurrency; these upcoming
/// features keep imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "assessment-batch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "assessment-batch", targets: ["assessment-batch"]),
        .executable(name: "assessment-sim", targets: ["assessment-sim"]),
    ],
    // `TLS` gives the simulator HTTPS (`--tls-cert`/`--tls-key`) through HummingbirdTLS and
    // swift-nio-ssl, whose BoringSSL takes minutes to compile. On by default (`swift build`,
    // `swift test`, scripts/test); scripts/demo and scripts/bench, which serve plain HTTP, build
    // with `--disable-default-traits` and skip that compile.
    traits: [
        .trait(name: "TLS", description: "HTTPS in assessment-sim and the TLS tests (compiles BoringSSL)."),
        .default(enabledTraits: ["TLS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // The configuration file's YAML (profiles): a node tree that keeps every key's line.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // libcurl, bound through pkg-config with a header-only shim for its variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Plumbing the tool and the simulator share: a seedable generator and a monotonic clock.
        .target(name: "SharedSupport", swiftSettings: swiftSettings),
        // A strict RFC 8259 reader and a writer that keep key order and exact number text,
        // shared by the tool and the simulator.
        .target(name: "StrictJSON", swiftSettings: swiftSettings),
        // Excel workbooks (.xlsx): a streaming sheet reader and a writer; ZIPFoundation (zlib
        // through pkg-config) does the zip container.
        .target(
            name: "XLSX",
            dependencies: ["SharedSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        // One blocking HTTP request at a time over a libcurl easy handle.
        .target(name: "CurlHTTP", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        // The domain: reading, validation, planning, applying, reporting.
        .target(
            name: "AssessmentBatchCore",
            dependencies: [
                "CurlHTTP", "SharedSupport", "StrictJSON", "XLSX", .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The command-line surface (one subcommand per file); the executable only calls it.
        .target(
            name: "AssessmentBatchCommands",
            dependencies: [
                "AssessmentBatchCore", "CurlHTTP", "StrictJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "assessment-batch",
            dependencies: ["AssessmentBatchCommands", "CurlHTTP"],
            swiftSettings: swiftSettings
        ),
        // The local stand-in for the enneo quality API.
        .target(
            name: "AssessmentSimulator",
            dependencies: [
                "SharedSupport", "StrictJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird", condition: .when(traits: ["TLS"])),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "assessment-sim",
            dependencies: [
                "AssessmentSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AssessmentBatchCoreTests",
            dependencies: ["AssessmentBatchCore", "SharedSupport", "StrictJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "XLSXTests",
            dependencies: ["XLSX", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AssessmentSimulatorTests",
            dependencies: ["AssessmentSimulator", "SharedSupport", "StrictJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "AssessmentBatchCore", "AssessmentSimulator", "CurlHTTP", "StrictJSON",
                "assessment-batch",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
