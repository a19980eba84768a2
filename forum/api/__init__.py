"""The REST API (Django REST framework): what a mobile app or another front end needs.

Every object goes through the same access-checked selectors and services as the pages.
"""
