"""tasklens.gui"""
