"""LB3's authorization, decided in Python: which access type a method needs (access_types), which roles a
caller holds (roles), who owns a row (owner), and which ACL rule wins (acl). Everything that can be
decided at start-up is: a policy is compiled once per (model, method), and a model with no ACLs has none.
"""
