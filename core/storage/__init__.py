"""Reading cells and writing files safely: input limits, atomic writes, output targets."""
