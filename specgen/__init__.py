"""specgen: compile LoopBack 3 model definitions into an OpenAPI document and a generated package."""
