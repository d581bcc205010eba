"""The LoopBack filter language: query-string decoding, the typed AST, and parsing against a model."""
