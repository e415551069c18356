"""tasklens.collector"""
