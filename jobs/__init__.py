"""scintel: science-and-technology intelligence indicators on Spark, Delta Lake and GraphFrames."""

__version__ = "0.1.0"
