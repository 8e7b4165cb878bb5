"""cloudtrail"""
