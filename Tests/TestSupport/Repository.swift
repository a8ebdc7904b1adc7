public import Foundation

/// The repository's root, found from this file's place in the checkout (Tests/TestSupport/), so tests find
/// the checked-in files wherever they run from.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `Projections/`: the built-in read models' definitions.
public let builtInProjectionsDirectory = repositoryRoot.appendingPathComponent("Projections").path
