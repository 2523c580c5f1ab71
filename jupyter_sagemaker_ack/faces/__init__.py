"""The ways people reach the services: CLI, IPython magics, the widget panel and the Jupyter server extension."""
