class EngineInputError(ValueError):
    """Input the engine cannot work with; the message names the problem."""
