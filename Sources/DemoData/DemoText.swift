/// Titles, descriptions and comments of believable lengths, made from fixed word lists with the
/// generator's random numbers (deterministic: no dictionary order, no locale, no clock).
///
/// Lengths are heavy-tailed on purpose: most comments are a line, a few are paragraphs, as in real
/// trackers, so payload sizes (and hence compression and batch sizes) look like a real workspace's.
enum DemoText {
    static let verbs = [
        "Fix", "Add", "Remove", "Migrate", "Upgrade", "Document", "Refactor", "Investigate", "Automate", "Review",
        "Speed up", "Rename", "Split", "Test", "Monitor", "Harden", "Clean up", "Design", "Replace", "Rotate",
    ]
    static let objects = [
        "the login form", "the billing export", "the nightly backup", "the search index", "the onboarding emails",
        "the API rate limits", "the staging cluster", "the invoice PDF", "the audit report", "the mobile push service",
        "the release checklist", "the TLS certificates", "the database passwords", "the alert thresholds",
        "the customer import", "the pricing page", "the Android build", "the iOS settings screen", "the data warehouse load",
        "the support macros", "the incident runbook", "the feature flags", "the CSV upload", "the dashboard filters",
        "the password reset flow", "the webhook retries", "the SSO integration", "the dependency updates",
    ]
    static let tails = [
        "", "", "", " for EU customers", " before the audit", " on staging first", " (again)", " for the Q3 release",
        " behind a flag", " in the new region", " for large workspaces", " after the outage",
    ]
    static let words = [
        "the", "customer", "reported", "that", "after", "deploy", "we", "see", "errors", "in", "logs", "when", "users",
        "open", "page", "with", "more", "than", "items", "it", "takes", "seconds", "to", "load", "and", "sometimes",
        "times", "out", "please", "check", "metrics", "dashboard", "query", "plan", "index", "missing", "on", "table",
        "orders", "could", "be", "related", "last", "week's", "migration", "I", "think", "should", "add", "test",
        "before", "merging", "release", "notes", "mention", "this", "change", "also", "need", "sign-off", "from",
        "security", "team", "legal", "asked", "about", "retention", "period", "for", "exports", "agreed", "call",
        "yesterday", "follow", "up", "next", "sprint", "blocked", "by", "vendor", "ticket", "still", "waiting",
        "answer", "works", "locally", "but", "not", "staging", "cache", "invalidation", "is", "hard", "as", "always",
    ]
    static let labels = ["bug", "feature", "chore", "security", "performance", "docs", "customer", "infra", "ux", "tech-debt"]
    static let fileKinds: [(suffix: String, type: String)] = [
        (".pdf", "application/pdf"), (".png", "image/png"), (".csv", "text/csv"), (".md", "text/markdown"),
        (".json", "application/json"), (".txt", "text/plain"),
    ]

    static func title(_ random: inout DemoRandom) -> String {
        random.pick(verbs) + " " + random.pick(objects) + random.pick(tails)
    }

    /// `sentences` sentences of 4-18 words.
    static func prose(_ random: inout DemoRandom, sentences: Int) -> String {
        var text = ""
        text.reserveCapacity(sentences * 80)
        for index in 0..<sentences {
            if index > 0 { text += index % 4 == 0 ? "\n\n" : " " }
            let count = random.int(in: 4...18)
            for word in 0..<count {
                let next = random.pick(words)
                if word == 0 {
                    text += next.prefix(1).uppercased() + next.dropFirst()
                } else {
                    text += " " + next
                }
            }
            text += random.chance(0.15) ? "?" : "."
        }
        return text
    }

    /// Empty for a third of the tasks; otherwise 1-3 sentences, with a long tail up to ~24.
    static func description(_ random: inout DemoRandom) -> String {
        if random.chance(0.33) { return "" }
        return prose(&random, sentences: 1 + min(23, Int(random.exponential(mean: 3))))
    }

    /// Mostly one or two sentences; now and then a long one.
    static func comment(_ random: inout DemoRandom) -> String {
        let short = ["LGTM.", "Done.", "On it.", "+1", "Thanks!", "Blocked, see above.", "Moved to next sprint.", "Can you take a look?"]
        if random.chance(0.2) { return random.pick(short) }
        return prose(&random, sentences: 1 + min(15, Int(random.exponential(mean: 1.5))))
    }
}
