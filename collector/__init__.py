"""tasklens.collector: the capture agent behind `tasklens collect` and the tray.

    Agent(store, config, user)   consent-gated capture: start(), pause(until), resume(), run(), stop()
    check_environment()          one-line EnvironmentMissingError when this desktop cannot be watched
    Pipeline                     sources -> bounded queue -> runs -> exclusions -> masker -> batched store
    EventSource / ElementSource / Backend
                                 the seam to the desktop: X11 + AT-SPI in `x11/`; the portable backend
                                 (pynput + pywinctl + psutil) elsewhere, with UI Automation or AX elements

Importing this package touches no display library: the backend is imported when capture starts.
"""
