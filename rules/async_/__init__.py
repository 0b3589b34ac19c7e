"""Family 6: async/await misuse (CVX601-CVX605). (Not `async`: that is a keyword.)"""
