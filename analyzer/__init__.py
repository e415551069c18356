"""tasklens.analyzer"""
