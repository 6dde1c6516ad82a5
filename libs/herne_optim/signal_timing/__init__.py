"""Signal timing: delay models, cycle/split optimisation of one intersection and MAXBAND offsets of a corridor.

Plain data in, plain data out: the signals service converts its intersection model into
``StageProblem`` and its corridor into ``BandProblem``; nothing here knows about gRPC or Redis.
"""
