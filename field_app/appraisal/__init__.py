"""The appraisal (考核) of the divisions below an office, and rectification notices (限期改正)."""
