/// The projection engine: applies a workspace's events to per-projection SQLite read models.
public enum ProjectionEngineModule {}
