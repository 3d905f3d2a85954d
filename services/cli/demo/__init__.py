"""`leadflow demo`: a day of advertising driven through the five services' real gRPC APIs, shown live.

The modules, in the order a run uses them:

- ``options``: the command's options and where the stack is (flags, ``LEADFLOW_<SVC>_GRPC_PORT``, defaults);
- ``connection``: channels, stubs and tokens (minted with the data directory's key, or ``--token``); refuses a
  stack whose services do not answer;
- ``stackclock``: the stack's time, and moving it on a dev clock (``--accelerate``);
- ``people``, ``phoneformats``, ``cast``, ``plan``: the deterministic day (``--seed``): who submits what, when,
  through which account and channel, and how their numbers are written;
- ``setup``: the tenant (dedup policy and group, teams and agents, assignment policies, masked numbers,
  callable hours, blocklist and sensitive words, refund rules);
- ``submitting``, ``agents``, ``driver``: the day itself: submissions, agents calling the leads they hold;
- ``tally``, ``readback``, ``funnel``, ``view``: what the demo saw, what the services say, and how both are shown.
"""
