"""The provider's canonical dataset: schema, reader, writer, provider profile, sample data."""
