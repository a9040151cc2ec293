// Small static programs for fedmesh's test images: the pod sandbox holder and a TCP/HTTP echo.
module fedmesh/test/images

go 1.26.0
