# Owned by the team, never written by tgforge (see docs/regeneration.md): inputs here win over
# the generated ones of this unit.
inputs = {
  # Two tasks even though the spec's desired_count says one: kept while autoscaling is tuned.
  desired_count = 2
}
