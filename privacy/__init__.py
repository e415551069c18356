"""tasklens.privacy"""
