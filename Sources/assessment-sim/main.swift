print("assessment-sim")
